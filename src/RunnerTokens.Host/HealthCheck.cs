using System.Globalization;
using System.Text;

namespace RunnerTokens.Host;

/// <summary>
/// <c>--health</c>: every runner's metrics file, as a Nagios/Icinga plugin reports. The first line is the worst
/// runner's, with the perfdata of all; with several runners, one line per runner follows. The exit code is the worst
/// status (0 OK, 1 WARNING, 2 CRITICAL).
/// </summary>
internal static class HealthCheck
{
    public static int Run(RunnerTokenRefreshOptions options, TimeSpan maxAge, DateTimeOffset now, TextWriter output)
    {
        var files = options.Runners
            .Select((runner, index) => (Fallback: runner.Name ?? $"runner {index + 1}", File: runner.MetricsFile is { Length: > 0 } own ? own : options.MetricsFile))
            .DefaultIfEmpty((Fallback: "runner", File: options.MetricsFile))
            .DistinctBy(r => Path.GetFullPath(r.File), StringComparer.Ordinal)
            .ToList();

        var reports = files.Select(f => (Report: RefreshHealth.Evaluate(f.File, now, maxAge), f.Fallback)).ToList();
        var worst = reports.MaxBy(r => r.Report.Status);
        var several = reports.Count > 1;

        var perfdata = string.Join(' ', reports.Select(r => Perfdata(r.Report, several ? r.Report.RunnerName ?? r.Fallback : null, maxAge)));
        var text = new StringBuilder();
        text.Append(Line(worst.Report, several ? worst.Report.RunnerName ?? worst.Fallback : null));
        if (perfdata.Length > 0)
        {
            text.Append(" | ").Append(perfdata);
        }

        text.AppendLine();
        if (several)
        {
            foreach (var (report, fallback) in reports)
            {
                text.AppendLine(Line(report, report.RunnerName ?? fallback));
            }
        }

        output.Write(text.ToString());
        return (int)worst.Report.Status;
    }

    /// <summary>The seed script's line, with the runner's name after the status when there are several.</summary>
    private static string Line(RefreshHealthReport report, string? runner)
    {
        if (runner is null)
        {
            return report.Message;
        }

        var colon = report.Message.IndexOf(": ", StringComparison.Ordinal);
        return colon < 0 ? $"{runner}: {report.Message}" : $"{report.Message[..colon]}: {runner}: {report.Message[(colon + 2)..]}";
    }

    /// <summary>Nagios perfdata: <c>label=value[unit];warn;crit;min</c>, the label quoted when it holds a space or quote.</summary>
    private static string Perfdata(RefreshHealthReport report, string? runner, TimeSpan maxAge)
    {
        var prefix = runner is null ? string.Empty : runner + "_";
        var parts = new List<string>();
        if (report.LastCheckAge is { } age)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{Label(prefix + "last_check_age")}={(long)age.TotalSeconds}s;{(long)maxAge.TotalSeconds};;0"));
        }

        if (report.ConsecutiveFailures is { } failures)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{Label(prefix + "consecutive_failures")}={failures};;{RefreshHealth.CriticalConsecutiveFailures};0"));
        }

        return string.Join(' ', parts);
    }

    private static string Label(string label) =>
        label.AsSpan().IndexOfAny(" '=") < 0 ? label : $"'{label.Replace("'", "''", StringComparison.Ordinal)}'";
}
