using System.IO.Abstractions;
using Microsoft.Extensions.Options;
using RunnerTokens.Refresh;

namespace RunnerTokens.Preflight;

/// <summary>
/// The runner's state folder, metrics file folder and Prometheus file folder can be written by this user: a temporary
/// file is created and deleted in the folder, or, when the folder does not exist yet, in the nearest folder above it
/// that does (the engine creates the rest). The state folder holds the lock, so without it no refresh can run.
/// </summary>
/// <remarks>
/// The Prometheus file is read from the options built without their validators, as <see cref="RunnerPreflight"/> builds
/// them: a name the validator would refuse at start is this check's failed line, not a checklist that cannot run.
/// </remarks>
internal sealed class WritablePathsCheck(
    IFileSystem fileSystem,
    IEnumerable<IConfigureOptions<RunnerTokenRefreshOptions>>? setups = null,
    IEnumerable<IPostConfigureOptions<RunnerTokenRefreshOptions>>? postConfigures = null) : IRunnerPreflightCheck
{
    public const string StateTitle = "state folder is writable";
    public const string MetricsTitle = "metrics file folder is writable";
    public const string PrometheusTitle = "Prometheus file folder is writable";
    private const string PrometheusRemedy = "set PROMETHEUS_FILE (--prometheus-file) to a .prom file in node_exporter's textfile folder that this user may write";

    private readonly Lazy<string?> _prometheusFile = new(() =>
        setups is null
            ? null
            : new OptionsFactory<RunnerTokenRefreshOptions>(setups, postConfigures ?? []).Create(Options.DefaultName).PrometheusFile is { } file
                && !string.IsNullOrWhiteSpace(file)
                ? file
                : null);

    public bool GuardsRefresh => false;

    public ValueTask<IReadOnlyList<PreflightResult>> CheckAsync(RunnerContext runner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var results = new List<PreflightResult>
        {
            Check(StateTitle, runner.StateDirectory, "set STATE_DIRECTORY (the unit's StateDirectory=) or the runner's StateDirectory to a folder this user owns", blocksRefresh: true),
        };
        if (runner.MetricsFile is { } metrics && fileSystem.Path.GetDirectoryName(metrics) is { Length: > 0 } folder)
        {
            results.Add(Check(MetricsTitle, folder, "set METRICS_FILE (--metrics-file) to a file in a folder this user may write", blocksRefresh: false));
        }

        if (_prometheusFile.Value is { } prometheus)
        {
            results.Add(RunnerTokenRefreshOptionsValidator.PrometheusFileProblem(prometheus) is { } problem
                ? PreflightResult.Failed(PrometheusTitle, problem, PrometheusRemedy, blocksRefresh: false)
                : Check(PrometheusTitle, fileSystem.Path.GetDirectoryName(fileSystem.Path.GetFullPath(prometheus.Trim()))!, PrometheusRemedy, blocksRefresh: false));
        }

        return new(results);
    }

    private PreflightResult Check(string title, string folder, string remedy, bool blocksRefresh)
    {
        var existing = folder;
        while (!fileSystem.Directory.Exists(existing))
        {
            if (fileSystem.File.Exists(existing))
            {
                return PreflightResult.Failed(title, $"{existing} is a file, where {folder} needs a folder", remedy, blocksRefresh);
            }

            var parent = fileSystem.Path.GetDirectoryName(existing);
            if (string.IsNullOrEmpty(parent))
            {
                return PreflightResult.Failed(title, $"{folder}: no folder of that path exists", remedy, blocksRefresh);
            }

            existing = parent;
        }

        var probe = fileSystem.Path.Combine(existing, $".runnertokens-preflight-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using (fileSystem.FileStream.New(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
            }

            fileSystem.File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var where = existing == folder ? folder : $"{folder} does not exist yet and {existing}";
            return PreflightResult.Failed(title, $"{where} cannot be written by this user: {ex.Message}", remedy, blocksRefresh);
        }

        return PreflightResult.Ok(title, existing == folder ? folder : $"{folder} (created at the first check, in {existing})");
    }
}
