using System.IO.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RunnerTokens.Refresh;
using RunnerTokens.Runners;

namespace RunnerTokens.Preflight;

/// <summary>
/// The checklist of every configured runner: its settings resolved as the engine resolves them (the same
/// <see cref="RunnerContextFactory"/>, so a name or URL that differs from <c>.runner</c> is refused here as at start),
/// then every <see cref="IRunnerPreflightCheck"/>. A check that throws counts as "cannot tell", never as passed.
/// The options are built without their validators: a runner whose settings the validator would refuse at start gets
/// its problems as lines of its own checklist, and the other runners are still checked.
/// </summary>
internal sealed class RunnerPreflight(
    IEnumerable<IConfigureOptions<RunnerTokenRefreshOptions>> setups,
    IEnumerable<IPostConfigureOptions<RunnerTokenRefreshOptions>> postConfigures,
    RunnerContextFactory runnerFactory,
    IEnumerable<IRunnerPreflightCheck> checks,
    IFileSystem fileSystem,
    ILogger<RunnerPreflight> logger) : IRunnerPreflight
{
    public const string SettingsTitle = "runner settings are valid";
    public const string IdentityTitle = "name and URL match .runner";

    private readonly IRunnerPreflightCheck[] _checks = [.. checks];

    public async Task<IReadOnlyList<RunnerPreflightReport>> RunAsync(CancellationToken cancellationToken)
    {
        var settings = new OptionsFactory<RunnerTokenRefreshOptions>(setups, postConfigures).Create(Options.DefaultName);
        var reports = new List<RunnerPreflightReport>(settings.Runners.Count);
        for (var i = 0; i < settings.Runners.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var errors = new List<string>();
            var runner = runnerFactory.TryCreate(settings, i, errors);
            if (runner is null)
            {
                var configured = settings.Runners[i];
                var name = string.IsNullOrWhiteSpace(configured.Name) ? $"runner {i + 1}" : configured.Name.Trim();
                reports.Add(new RunnerPreflightReport(
                    name,
                    configured.Directory ?? string.Empty,
                    [.. errors.Select(error => PreflightResult.Failed(SettingsTitle, error, "change the setting named above (see the README: Configuration)", blocksRefresh: true))]));
                continue;
            }

            var results = new List<PreflightResult> { Identity(runner) };
            results.AddRange(await RunChecksAsync(_checks, runner, logger, cancellationToken).ConfigureAwait(false));
            reports.Add(new RunnerPreflightReport(runner.Name, runner.Directory, results));
        }

        return reports;
    }

    /// <summary>Runs <paramref name="checks"/> for one runner; a check that throws is one "cannot tell" line.</summary>
    internal static async Task<List<PreflightResult>> RunChecksAsync(IEnumerable<IRunnerPreflightCheck> checks, RunnerContext runner, ILogger logger, CancellationToken cancellationToken)
    {
        var results = new List<PreflightResult>();
        foreach (var check in checks)
        {
            try
            {
                results.AddRange(await check.CheckAsync(runner, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                var name = check.GetType().Name;
                Log.PreflightCheckFailed(logger, runner.Name, name, ex.Message);
                results.Add(PreflightResult.Unknown(name, $"the check itself failed: {ex.Message}"));
            }
        }

        return results;
    }

    /// <summary>The factory already refused a name or URL that differs from .runner; this line says what was matched.</summary>
    private PreflightResult Identity(RunnerContext runner)
    {
        var (registered, problem) = RunnerSettingsFile.Read(fileSystem, runner.Directory);
        if (registered is null)
        {
            return PreflightResult.Ok(IdentityTitle, $"not registered ({problem}): registers as '{runner.Name}' at {runner.Url}");
        }

        return runner.AllowRename && (!string.Equals(registered.AgentName, runner.Name, StringComparison.Ordinal)
            || registered.GitHubUrl is not null && !RunnerIdentity.SameUrl(registered.GitHubUrl, runner.Url))
            ? PreflightResult.Ok(IdentityTitle, $"renames '{registered.AgentName}' at {registered.GitHubUrl} to '{runner.Name}' at {runner.Url} (Rename is set)")
            : PreflightResult.Ok(IdentityTitle, $"'{runner.Name}' at {runner.Url}");
    }
}
