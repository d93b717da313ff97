using Microsoft.Extensions.Logging;

namespace RunnerTokens.GitHub;

/// <summary>
/// Asks GitHub whether a runner is running a job, right before the engine would stop it: the scope's listing is
/// revalidated (a 304 when nothing changed). A runner GitHub does not list is not busy. When GitHub cannot be asked,
/// this throws, so the engine never stops a runner it cannot see.
/// </summary>
internal sealed class GitHubRunnerBusyProbe(RunnerListing listing, ILogger<GitHubRunnerBusyProbe> logger) : IRunnerBusyProbe
{
    public async ValueTask<bool> IsBusyAsync(RunnerContext runner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var snapshot = await listing.GetAsync(runner.Scope, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        if (snapshot.Find(runner.Name) is not { } listed)
        {
            Log.RunnerNotListed(logger, runner.Name, runner.Scope.DisplayName);
            return false;
        }

        Log.RunnerStatus(logger, runner.Name, listed.Status, listed.Busy);
        return listed.Busy;
    }
}
