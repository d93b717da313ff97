using System.Globalization;
using System.Text;

namespace RunnerTokens.Host.Preflight;

/// <summary>
/// Renders the preflight checklist (<see cref="IRunnerPreflight"/>) as an operator reads it: per runner a heading,
/// then one line per check (✔ passed, ✘ failed, ? cannot tell) and, under each ✘ or ?, what to do. Also tells the exit
/// code of <c>--check-config</c> and whether the daemon must refuse to start.
/// </summary>
internal static class PreflightReportWriter
{
    public const string Passed = "✔";
    public const string Failed = "✘";
    public const string CannotTell = "?";
    public const string SettingsTitle = "settings are valid";

    /// <summary>Writes the checklist of every runner, then a one-line summary.</summary>
    public static void Write(TextWriter writer, IReadOnlyList<RunnerPreflightReport> reports)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(Render(reports));
    }

    /// <summary>The checklist of every runner, then a one-line summary, each line ending in a newline.</summary>
    public static string Render(IReadOnlyList<RunnerPreflightReport> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        var text = new StringBuilder();
        foreach (var report in reports)
        {
            text.Append(CultureInfo.InvariantCulture, $"runner '{report.RunnerName}' ({report.Directory})").Append('\n');
            var said = new HashSet<string>(StringComparer.Ordinal);
            foreach (var result in report.Results)
            {
                // Two checks that fail for one cause (a .service naming a unit not allowed) say it once.
                if (result.Status == PreflightStatus.Failed && !string.IsNullOrEmpty(result.Detail) && !said.Add(result.Detail))
                {
                    text.Append(CultureInfo.InvariantCulture, $"  {Failed} {result.Title}: the same as above").Append('\n');
                    continue;
                }

                switch (result.Status)
                {
                    case PreflightStatus.Ok:
                        text.Append(CultureInfo.InvariantCulture, $"  {Passed} {result.Title}");
                        if (!string.IsNullOrEmpty(result.Detail))
                        {
                            text.Append(CultureInfo.InvariantCulture, $" ({Indent(result.Detail)})");
                        }

                        break;
                    case PreflightStatus.Failed:
                        text.Append(CultureInfo.InvariantCulture, $"  {Failed} {result.Title}: {Indent(result.Detail ?? "failed")}");
                        break;
                    default:
                        text.Append(CultureInfo.InvariantCulture, $"  {CannotTell} {result.Title}: {Indent(result.Detail ?? "cannot tell")}");
                        break;
                }

                text.Append('\n');
                if (result.Status != PreflightStatus.Ok && !string.IsNullOrEmpty(result.Remedy))
                {
                    text.Append(CultureInfo.InvariantCulture, $"      → {Indent(result.Remedy)}").Append('\n');
                }
            }
        }

        text.Append(Summary(reports)).Append('\n');
        return text.ToString();
    }

    /// <summary>
    /// The checklist when settings shared by every runner (GitHub, Systemd) are wrong: one failed line per setting, then
    /// a summary; no runner is checked, as every check would depend on them.
    /// </summary>
    public static string RenderSettings(IReadOnlyList<string> failures)
    {
        ArgumentNullException.ThrowIfNull(failures);
        var text = new StringBuilder("settings\n");
        foreach (var failure in failures)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {Failed} {SettingsTitle}: {Indent(failure)}").Append('\n');
            text.Append("      → change the setting named above (see the README: Configuration)").Append('\n');
        }

        text.Append(CultureInfo.InvariantCulture, $"{(failures.Count == 1 ? "1 setting" : $"{failures.Count} settings")} failed: no runner checked").Append('\n');
        return text.ToString();
    }

    /// <summary>A detail of several lines (a program's error output) stays under its check.</summary>
    private static string Indent(string text) => text.TrimEnd().ReplaceLineEndings("\n        ");

    /// <summary>One line: how many runners, failures, failures that block every refresh, and checks that cannot tell.</summary>
    public static string Summary(IReadOnlyList<RunnerPreflightReport> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        var results = reports.SelectMany(r => r.Results).ToList();
        var failed = results.Count(r => r.Status == PreflightStatus.Failed);
        var blocking = results.Count(r => r.Status == PreflightStatus.Failed && r.BlocksRefresh);
        var unknown = results.Count(r => r.Status == PreflightStatus.Unknown);
        var runners = reports.Count == 1 ? "1 runner" : string.Create(CultureInfo.InvariantCulture, $"{reports.Count} runners");
        if (failed == 0)
        {
            return unknown == 0
                ? $"{runners} checked: everything passed"
                : string.Create(CultureInfo.InvariantCulture, $"{runners} checked: no failure; {unknown} cannot tell");
        }

        var failures = string.Create(CultureInfo.InvariantCulture, $"{failed} failed");
        var blocks = blocking == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" ({blocking} make every refresh impossible)");
        var tell = unknown == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"; {unknown} cannot tell");
        return $"{runners} checked: {failures}{blocks}{tell}";
    }

    /// <summary>The exit code of <c>--check-config</c>: 0 when no check failed (one that cannot tell is not a failure), else 2.</summary>
    public static int ExitCode(IReadOnlyList<RunnerPreflightReport> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        return reports.All(r => r.Passed) ? ExitCodes.Success : ExitCodes.InvalidConfiguration;
    }

    /// <summary>
    /// Whether the daemon must refuse to start (exit 2): a runner has a failure that makes every refresh impossible.
    /// A failure that spoils only some refreshes or a side matter (metrics) is logged, and the daemon runs.
    /// </summary>
    public static bool StopsDaemon(IReadOnlyList<RunnerPreflightReport> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        return reports.Any(r => r.BlocksRefresh);
    }
}
