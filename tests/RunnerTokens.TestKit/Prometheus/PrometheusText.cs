using System.Globalization;
using System.Text;

namespace RunnerTokens.TestKit.Prometheus;

/// <summary>One sample: its name, its labels, its value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string? Label(string name) => Labels.TryGetValue(name, out var value) ? value : null;
}

/// <summary>One family: its name, TYPE, HELP (unescaped) and samples, in the file's order.</summary>
public sealed record PrometheusFamily(string Name, string Type, string? Help, IReadOnlyList<PrometheusSample> Samples);

/// <summary>
/// A strict parser of Prometheus' text exposition format (version 0.0.4,
/// https://prometheus.io/docs/instrumenting/exposition_formats/), as node_exporter's textfile collector reads a
/// <c>.prom</c> file. There is no .NET parser of the format (prometheus-net only writes it), so this one follows the
/// spec and refuses what Prometheus and node_exporter refuse: a last line without a line feed; an invalid metric or
/// label name; a label name starting with <c>__</c> or given twice; an escape other than <c>\\</c>, <c>\"</c>,
/// <c>\n</c> in a label value (or <c>\\</c>, <c>\n</c> in HELP); a value that is no float; a second HELP or TYPE of a
/// name; a TYPE or HELP after the family's samples; the samples of a family split across blocks; the same series
/// twice; a sample whose name does not belong to the TYPE in force (a counter's sample named as the TYPE line says);
/// and client-side timestamps, which the textfile collector refuses.
/// </summary>
public static class PrometheusText
{
    private static readonly string[] Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    /// <summary>Parses <paramref name="text"/>; throws <see cref="FormatException"/> naming the line on anything the format does not allow.</summary>
    public static IReadOnlyList<PrometheusFamily> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > 0 && text[^1] != '\n')
        {
            throw new FormatException("the last line does not end with a line feed");
        }

        var families = new List<Builder>();
        var byName = new Dictionary<string, Builder>(StringComparer.Ordinal);
        var series = new HashSet<string>(StringComparer.Ordinal);
        Builder? current = null;
        var lines = text.Split('\n');
        for (var n = 0; n < lines.Length - 1; n++)
        {
            var line = lines[n].Trim(' ', '\t');
            var where = $"line {n + 1} ('{lines[n]}')";
            if (line.Length == 0)
            {
                continue;
            }

            if (line[0] == '#')
            {
                var tokens = line[1..].TrimStart(' ', '\t');
                string keyword = tokens.StartsWith("HELP", StringComparison.Ordinal) && tokens.Length > 4 && tokens[4] is ' ' or '\t' ? "HELP"
                    : tokens.StartsWith("TYPE", StringComparison.Ordinal) && tokens.Length > 4 && tokens[4] is ' ' or '\t' ? "TYPE"
                    : string.Empty;
                if (keyword.Length == 0)
                {
                    continue; // a plain comment
                }

                var rest = tokens[4..].TrimStart(' ', '\t');
                var nameEnd = rest.IndexOfAny([' ', '\t']);
                var name = nameEnd < 0 ? rest : rest[..nameEnd];
                var value = nameEnd < 0 ? string.Empty : rest[(nameEnd + 1)..].TrimStart(' ', '\t');
                RequireMetricName(name, where);
                var family = Family(name, where);
                if (family.Samples.Count > 0)
                {
                    throw new FormatException($"{where}: {keyword} of {name} after its samples");
                }

                if (keyword == "HELP")
                {
                    if (family.Help is not null)
                    {
                        throw new FormatException($"{where}: second HELP of {name}");
                    }

                    family.Help = UnescapeHelp(value, where);
                }
                else
                {
                    if (family.Type is not null)
                    {
                        throw new FormatException($"{where}: second TYPE of {name}");
                    }

                    if (!Types.Contains(value, StringComparer.Ordinal))
                    {
                        throw new FormatException($"{where}: TYPE '{value}' is none of {string.Join(", ", Types)}");
                    }

                    family.Type = value;
                }

                continue;
            }

            var sample = ParseSample(line, where);
            var owner = current is not null && Belongs(current, sample.Name) ? current : FamilyOfSample(sample.Name, where);
            if (owner.Closed)
            {
                throw new FormatException($"{where}: samples of {owner.Name} split across blocks");
            }

            var key = sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")) + "}";
            if (!series.Add(key))
            {
                throw new FormatException($"{where}: the series {key} appears twice");
            }

            owner.Samples.Add(sample);
            current = owner;
        }

        return [.. families.Select(f => new PrometheusFamily(f.Name, f.Type ?? "untyped", f.Help, f.Samples))];

        Builder Family(string name, string where)
        {
            if (byName.TryGetValue(name, out var family))
            {
                if (!ReferenceEquals(family, current) && family.Samples.Count > 0)
                {
                    throw new FormatException($"{where}: {name} appears again after another family");
                }

                return family;
            }

            if (current is not null)
            {
                current.Closed = true;
            }

            family = new Builder(name);
            byName[name] = family;
            families.Add(family);
            current = family;
            return family;
        }

        Builder FamilyOfSample(string sampleName, string where)
        {
            foreach (var suffix in (string[])["_bucket", "_sum", "_count", string.Empty])
            {
                if (sampleName.EndsWith(suffix, StringComparison.Ordinal)
                    && byName.TryGetValue(sampleName[..^suffix.Length], out var family)
                    && Belongs(family, sampleName))
                {
                    if (!ReferenceEquals(family, current))
                    {
                        if (family.Samples.Count > 0 || family.Closed)
                        {
                            throw new FormatException($"{where}: samples of {family.Name} split across blocks");
                        }

                        if (current is not null)
                        {
                            current.Closed = true;
                        }

                        current = family;
                    }

                    return family;
                }
            }

            // A sample without TYPE: its own untyped family.
            return Family(sampleName, where);
        }
    }

    /// <summary>The one family of <paramref name="name"/>; throws when there is none or more than one.</summary>
    public static PrometheusFamily Single(this IReadOnlyList<PrometheusFamily> families, string name)
    {
        var found = families.Where(f => f.Name == name).ToList();
        return found.Count == 1 ? found[0] : throw new InvalidOperationException($"{found.Count} families named {name}; the file has {string.Join(", ", families.Select(f => f.Name))}");
    }

    /// <summary>The value of the sample of <paramref name="name"/> with <paramref name="labels"/> (name=value pairs), or null.</summary>
    public static double? Value(this IReadOnlyList<PrometheusFamily> families, string name, params (string Name, string Value)[] labels) =>
        families.SelectMany(f => f.Samples)
            .Where(s => s.Name == name && s.Labels.Count == labels.Length && labels.All(l => s.Label(l.Name) == l.Value))
            .Select(s => (double?)s.Value)
            .SingleOrDefault();

    private static bool Belongs(Builder family, string sampleName) => (family.Type ?? "untyped") switch
    {
        "histogram" => sampleName == family.Name + "_bucket" || sampleName == family.Name + "_sum" || sampleName == family.Name + "_count",
        "summary" => sampleName == family.Name || sampleName == family.Name + "_sum" || sampleName == family.Name + "_count",
        _ => sampleName == family.Name,
    };

    private static PrometheusSample ParseSample(string line, string where)
    {
        var i = 0;
        while (i < line.Length && line[i] is not ('{' or ' ' or '\t'))
        {
            i++;
        }

        var name = line[..i];
        RequireMetricName(name, where);
        while (i < line.Length && line[i] is ' ' or '\t')
        {
            i++;
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (true)
            {
                SkipBlanks(line, ref i);
                if (i < line.Length && line[i] == '}')
                {
                    i++;
                    break;
                }

                var start = i;
                while (i < line.Length && line[i] is not ('=' or ' ' or '\t' or '}' or ','))
                {
                    i++;
                }

                var label = line[start..i];
                if (label.Length == 0 || !(char.IsAsciiLetter(label[0]) || label[0] == '_') || !label.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                {
                    throw new FormatException($"{where}: invalid label name '{label}'");
                }

                if (label.StartsWith("__", StringComparison.Ordinal))
                {
                    throw new FormatException($"{where}: label name '{label}' is reserved (starts with __)");
                }

                SkipBlanks(line, ref i);
                if (i >= line.Length || line[i] != '=')
                {
                    throw new FormatException($"{where}: '=' expected after label {label}");
                }

                i++;
                SkipBlanks(line, ref i);
                if (i >= line.Length || line[i] != '"')
                {
                    throw new FormatException($"{where}: '\"' expected for the value of label {label}");
                }

                i++;
                var value = new StringBuilder();
                while (true)
                {
                    if (i >= line.Length)
                    {
                        throw new FormatException($"{where}: the value of label {label} is not closed");
                    }

                    var c = line[i++];
                    if (c == '"')
                    {
                        break;
                    }

                    if (c == '\\')
                    {
                        if (i >= line.Length)
                        {
                            throw new FormatException($"{where}: the value of label {label} ends in a lone backslash");
                        }

                        value.Append(line[i++] switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            var other => throw new FormatException($"{where}: invalid escape '\\{other}' in the value of label {label}"),
                        });
                        continue;
                    }

                    value.Append(c);
                }

                if (!labels.TryAdd(label, value.ToString()))
                {
                    throw new FormatException($"{where}: label {label} given twice");
                }

                SkipBlanks(line, ref i);
                if (i < line.Length && line[i] == ',')
                {
                    i++;
                }
                else if (i >= line.Length || line[i] != '}')
                {
                    throw new FormatException($"{where}: ',' or '}}' expected after label {label}");
                }
            }
        }

        var tokens = line[i..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length == 0)
        {
            throw new FormatException($"{where}: no value");
        }

        if (tokens.Length > 1)
        {
            // A timestamp (or worse): node_exporter's textfile collector refuses client-side timestamps.
            throw new FormatException($"{where}: unexpected '{string.Join(' ', tokens[1..])}' after the value (the textfile collector refuses timestamps)");
        }

        return new PrometheusSample(name, labels, ParseValue(tokens[0], where));
    }

    private static double ParseValue(string text, string where) => text switch
    {
        "NaN" => double.NaN,
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ when text.Length > 0 && text.All(c => char.IsAsciiDigit(c) || c is '.' or 'e' or 'E' or '+' or '-')
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) => value,
        _ => throw new FormatException($"{where}: '{text}' is not a float"),
    };

    private static string UnescapeHelp(string text, string where)
    {
        var help = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                help.Append(text[i]);
                continue;
            }

            if (++i >= text.Length)
            {
                throw new FormatException($"{where}: HELP ends in a lone backslash");
            }

            help.Append(text[i] switch
            {
                '\\' => '\\',
                'n' => '\n',
                var other => throw new FormatException($"{where}: invalid escape '\\{other}' in HELP"),
            });
        }

        return help.ToString();
    }

    private static void RequireMetricName(string name, string where)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] is '_' or ':') || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':'))
        {
            throw new FormatException($"{where}: invalid metric name '{name}'");
        }
    }

    private static void SkipBlanks(string line, ref int i)
    {
        while (i < line.Length && line[i] is ' ' or '\t')
        {
            i++;
        }
    }

    private sealed class Builder(string name)
    {
        public string Name { get; } = name;

        public string? Type { get; set; }

        public string? Help { get; set; }

        public List<PrometheusSample> Samples { get; } = [];

        public bool Closed { get; set; }
    }
}
