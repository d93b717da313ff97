using Microsoft.Extensions.Logging;

namespace RunnerTokens.GitHub;

/// <summary>
/// Asks GitHub whether a runner is running a job, right before the engine would stop it: the runner is asked for by
/// name, fresh (a 304 when nothing changed), unless the refresh asked within the last <see cref="MaxAge"/>. Listed: busy or idle as GitHub's <c>busy</c> says. Absent: idle (a deleted
/// runner runs no job). When GitHub cannot be asked or cannot tell: <see cref="RunnerBusyState.Unknown"/>, logged with
/// the reason, so the engine does not stop a runner whose registration is valid; a permanent or rate-limited failure is
/// thrown instead, so the engine does not retry it.
/// </summary>
internal sealed class GitHubRunnerBusyProbe(RunnerLookup lookup, ILogger<GitHubRunnerBusyProbe> logger) : IRunnerBusyProbe
{
    /// <summary>
    /// How old an answer may be: the one the refresh asked for a moment before (to resolve the registration) serves, one
    /// from an earlier check or attempt does not.
    /// </summary>
    internal static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);

    public async ValueTask<RunnerBusyState> GetBusyStateAsync(RunnerContext runner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        RegisteredRunner? found;
        try
        {
            found = await lookup.FindAsync(runner.Scope, runner.Name, MaxAge, cancellationToken).ConfigureAwait(false);
        }
        catch (GitHubApiException ex)
        {
            Log.BusyStateUnknown(logger, runner.Name, ex.Message);

            // Thrown, not answered, when asking again cannot help soon (no credential, a rejected one, a long rate limit):
            // the engine still counts the state as unknown, and takes the failure's kind for its retries.
            if (ex.Kind == RefreshFailureKind.Permanent || ex.RetryAfter is not null)
            {
                throw;
            }

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
