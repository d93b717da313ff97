using Microsoft.Extensions.Options;
using RunnerTokens.Runners;

namespace RunnerTokens.Refresh;

/// <summary>Checks what the attributes cannot: runners present, their URLs, directories, and no two sharing a state folder or metrics file.</summary>
internal sealed class RunnerTokenRefreshOptionsValidator(RunnerContextFactory factory) : IValidateOptions<RunnerTokenRefreshOptions>
{
    public ValidateOptionsResult Validate(string? name, RunnerTokenRefreshOptions options)
    {
        var prometheus = PrometheusFileProblem(options.PrometheusFile);
        if (options.Runners.Count == 0)
        {
            var empty = $"{nameof(RunnerTokenRefreshOptions.Runners)} is empty; configure at least one runner (the options' Runners list, such as a configuration section's Runners:0:Directory, or AddRunner()).";
            return ValidateOptionsResult.Fail(prometheus is null ? [empty] : [empty, prometheus]);
        }

        var errors = new List<string>();
        if (prometheus is not null)
        {
            errors.Add(prometheus);
        }

        var runners = new List<RunnerContext>();
        for (var i = 0; i < options.Runners.Count; i++)
        {
            if (factory.TryCreate(options, i, errors) is { } runner)
            {
                runners.Add(runner);
            }
        }

        AddDuplicates(errors, runners, r => r.Name, "name", StringComparer.OrdinalIgnoreCase);
        AddDuplicates(errors, runners, r => r.StateDirectory, "state folder", StringComparer.Ordinal);
        AddDuplicates(errors, runners.Where(r => r.MetricsFile is not null), r => r.MetricsFile!, "metrics file", StringComparer.Ordinal);
        if (prometheus is null && !string.IsNullOrWhiteSpace(options.PrometheusFile)
            && runners.FirstOrDefault(r => r.MetricsFile == Path.GetFullPath(options.PrometheusFile.Trim())) is { } clash)
        {
            errors.Add($"{nameof(RunnerTokenRefreshOptions.PrometheusFile)} = '{options.PrometheusFile}' is not allowed: it is also the JSON metrics file of runner '{clash.Name}'; give each its own file.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Why the Prometheus file cannot be node_exporter's, or null: unset, or a path whose name ends in <c>.prom</c>.</summary>
    internal static string? PrometheusFileProblem(string? path)
    {
        if (path is null || path.Length == 0)
        {
            return null;
        }

        var trimmed = path.Trim();
        var fileName = Path.GetFileName(trimmed);
        return trimmed.Length == 0 || fileName.Length < Metrics.PrometheusTextFileSink.FileExtension.Length
            || !fileName.EndsWith(Metrics.PrometheusTextFileSink.FileExtension, StringComparison.Ordinal)
            || trimmed.Any(char.IsControl)
            ? $"{nameof(RunnerTokenRefreshOptions.PrometheusFile)} = '{path}' is not allowed: node_exporter's textfile collector reads only files whose name ends in {Metrics.PrometheusTextFileSink.FileExtension} (lower case); use a file in its --collector.textfile.directory, such as /var/lib/prometheus/node-exporter/runner-token-refresh.prom."
            : null;
    }

    /// <summary>How many runners a "share the same ..." line names before it counts the rest.</summary>
    private const int NamesShown = 5;

    private static void AddDuplicates(
        List<string> errors, IEnumerable<RunnerContext> runners, Func<RunnerContext, string> key, string what, StringComparer comparer)
    {
        foreach (var group in runners.GroupBy(key, comparer).Where(g => g.Count() > 1))
        {
            // The first few names, then a count: a --config of a thousand runners gives one readable line, not 15 KB.
            var count = group.Count();
            var names = string.Join(", ", group.Take(NamesShown).Select(r => $"'{r.Name}'"));
            var others = count > NamesShown ? $" and {count - NamesShown} others" : string.Empty;
            errors.Add($"Runners {names}{others} share the {what} '{group.Key}'; give each runner its own.");
        }
    }
}
