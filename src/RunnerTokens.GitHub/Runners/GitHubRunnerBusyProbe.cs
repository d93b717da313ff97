using Microsoft.Extensions.Logging;

namespace RunnerTokens.GitHub;

/// <summary>
/// Asks GitHub whether a runner is running a job, right before the engine would stop it: the scope's listing is
/// revalidated (a 304 when nothing changed), and a runner missing from it is asked for by name. Listed: busy or idle
/// as GitHub's <c>busy</c> says. Confirmed absent: idle (a deleted runner runs no job). When GitHub cannot be asked or
/// cannot tell: <see cref="RunnerBusyState.Unknown"/>, logged with the reason, so the engine does not stop a runner
/// whose registration is valid.
/// </summary>
internal sealed class GitHubRunnerBusyProbe(RunnerListing listing, ILogger<GitHubRunnerBusyProbe> logger) : IRunnerBusyProbe
{
    public async ValueTask<RunnerBusyState> GetBusyStateAsync(RunnerContext runner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        RegisteredRunner? found;
        try
        {
            found = await listing.FindAsync(runner.Scope, runner.Name, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        }
        catch (GitHubApiException ex)
        {
            Log.BusyStateUnknown(logger, runner.Name, ex.Message);
            return RunnerBusyState.Unknown;
        }

        if (found is null)
        {
            Log.RunnerNotListed(logger, runner.Name, runner.Scope.DisplayName);
            return RunnerBusyState.Idle;
        }

        Log.RunnerStatus(logger, runner.Name, found.Status ?? "unknown", found.Busy);
        return found.Busy ? RunnerBusyState.Busy : RunnerBusyState.Idle;
    }
}
