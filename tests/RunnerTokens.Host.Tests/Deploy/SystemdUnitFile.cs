using System.Text;

namespace RunnerTokens.Host.Tests.Deploy;

/// <summary>
/// A unit file and its drop-ins as systemd loads them (systemd.unit(5)): sections, <c>Key=value</c> lines, <c>#</c> and
/// <c>;</c> comments, a trailing backslash continuing a line; drop-ins read after the unit in the order given, each
/// assignment appended to what came before, and an empty assignment resetting the key (for list settings; for a
/// single-value setting the last assignment wins, and an empty one means "not set"). Values are kept as written;
/// what a value means is for the caller (see <see cref="NoNewPrivilegesRule"/>).
/// </summary>
internal sealed class SystemdUnitFile
{
    private readonly Dictionary<string, List<string>> _assignments = new(StringComparer.Ordinal);

    private SystemdUnitFile()
    {
    }

    /// <summary>Loads <paramref name="unitText"/>, then each drop-in's text over it.</summary>
    public static SystemdUnitFile Parse(string unitText, params string[] dropInTexts)
    {
        var unit = new SystemdUnitFile();
        foreach (var text in (string[])[unitText, .. dropInTexts])
        {
            unit.Read(text);
        }

        return unit;
    }

    /// <summary>Loads the unit at <paramref name="path"/>, then the drop-ins at <paramref name="dropInPaths"/>.</summary>
    public static SystemdUnitFile Load(string path, params string[] dropInPaths) =>
        Parse(File.ReadAllText(path), [.. dropInPaths.Select(File.ReadAllText)]);

    /// <summary>Every assignment of <c>[section] key</c> since its last reset, in order; empty when never set or reset.</summary>
    public IReadOnlyList<string> Values(string section, string key) =>
        _assignments.TryGetValue(section + "." + key, out var values) ? values : [];

    /// <summary>The last assignment of <c>[section] key</c>, or null when it is not set (never, or reset by an empty one).</summary>
    public string? Value(string section, string key) => Values(section, key) is [.., var last] ? last : null;

    private void Read(string text)
    {
        var section = string.Empty;
        foreach (var line in LogicalLines(text))
        {
            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                section = line[1..^1];
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new FormatException($"not a Key=value line: '{line}'");
            }

            var key = section + "." + line[..equals].Trim();
            var value = line[(equals + 1)..].Trim();
            if (value.Length == 0)
            {
                _assignments.Remove(key);
                continue;
            }

            if (!_assignments.TryGetValue(key, out var values))
            {
                _assignments[key] = values = [];
            }

            values.Add(value);
        }
    }

    private static IEnumerable<string> LogicalLines(string text)
    {
        var pending = new StringBuilder();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (pending.Length == 0 && (line.Length == 0 || line.StartsWith('#') || line.StartsWith(';')))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending.Append(line[..^1]).Append(' ');
                continue;
            }

            pending.Append(line);
            yield return pending.ToString();
            pending.Clear();
        }

        if (pending.Length > 0)
        {
            yield return pending.ToString();
        }
    }
}
