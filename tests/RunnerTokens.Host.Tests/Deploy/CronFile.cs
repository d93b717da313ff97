using System.Globalization;
using System.Text.RegularExpressions;

namespace RunnerTokens.Host.Tests.Deploy;

/// <summary>
/// An <c>/etc/cron.d</c> file as Debian's cron reads it (crontab(5)): <c>#</c> comments, <c>NAME=value</c> lines that
/// set the environment of the commands below them (quotes around the value removed), and entries of five time fields,
/// a user and a command that cron hands to <c>$SHELL -c</c>. A <c>%</c> in a command, which cron turns into a
/// newline and stdin, is refused rather than modelled.
/// </summary>
internal sealed partial class CronFile
{
    private CronFile(IReadOnlyDictionary<string, string> environment, IReadOnlyList<CronEntry> entries)
    {
        Environment = environment;
        Entries = entries;
    }

    /// <summary>Gets the variables the file sets (SHELL, PATH, …), as the commands see them.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>Gets the entries.</summary>
    public IReadOnlyList<CronEntry> Entries { get; }

    public static CronFile Load(string path) => Parse(File.ReadAllText(path));

    public static CronFile Parse(string text)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<CronEntry>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (Assignment().Match(line) is { Success: true } assignment)
            {
                environment[assignment.Groups[1].Value] = assignment.Groups[2].Value.Trim().Trim('"', '\'');
                continue;
            }

            var fields = Whitespace().Split(line, 7);
            if (fields.Length < 7)
            {
                throw new FormatException($"not an /etc/cron.d entry (5 time fields, user, command): '{line}'");
            }

            if (fields[6].Contains('%', StringComparison.Ordinal))
            {
                throw new FormatException($"cron turns '%' into a newline: '{fields[6]}'");
            }

            entries.Add(new CronEntry(fields[..5], fields[5], fields[6]));
        }

        return new CronFile(environment, entries);
    }

    [GeneratedRegex("^([A-Za-z_][A-Za-z0-9_]*)\\s*=(.*)$")]
    private static partial Regex Assignment();

    [GeneratedRegex("\\s+")]
    private static partial Regex Whitespace();
}

/// <summary>One entry of a cron file: when, as whom, what.</summary>
internal sealed record CronEntry(string[] Schedule, string User, string Command)
{
    /// <summary>
    /// Gets the longest time between two runs, for a schedule that runs every hour of every day (the last four fields
    /// <c>*</c>); the minute field may be <c>*</c>, <c>*/N</c>, <c>A-B</c>, <c>A-B/N</c> or a list of these.
    /// </summary>
    public TimeSpan LongestGap
    {
        get
        {
            if (Schedule[1..].Any(f => f != "*"))
            {
                throw new NotSupportedException($"only an hourly-repeating schedule is read here: '{string.Join(' ', Schedule)}'");
            }

            var minutes = Schedule[0].Split(',').SelectMany(Expand).Distinct().Order().ToList();
            var gaps = minutes.Zip(minutes.Skip(1), (a, b) => b - a).Append(60 - minutes[^1] + minutes[0]);
            return TimeSpan.FromMinutes(gaps.Max());
        }
    }

    private static IEnumerable<int> Expand(string part)
    {
        var (range, step) = part.Split('/') is [var r, var s] ? (r, int.Parse(s, CultureInfo.InvariantCulture)) : (part, 1);
        var (from, to) = range == "*" ? (0, 59)
            : range.Split('-') is [var a, var b] ? (int.Parse(a, CultureInfo.InvariantCulture), int.Parse(b, CultureInfo.InvariantCulture))
            : (int.Parse(range, CultureInfo.InvariantCulture), int.Parse(range, CultureInfo.InvariantCulture));
        for (var minute = from; minute <= to; minute += step)
        {
            yield return minute;
        }
    }
}
