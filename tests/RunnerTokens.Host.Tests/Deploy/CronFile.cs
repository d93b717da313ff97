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
