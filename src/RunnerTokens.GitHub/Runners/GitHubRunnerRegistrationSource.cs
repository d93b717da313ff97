using Microsoft.Extensions.Logging;

namespace RunnerTokens.GitHub;

/// <summary>
/// The runner as GitHub lists it (id, custom labels in GitHub's order, whether it has the default labels, ephemeral,
/// runner group, busy, status), from the scope's listing the check already fetched (within
/// <see cref="RunnerListing.CheckMaxAge"/>). A runner missing from that listing is asked for by name; only GitHub's
/// answer to that makes it "not found" (<see langword="null"/>). When GitHub cannot be asked, or cannot tell, this
/// throws <see cref="GitHubApiException"/> (the message holds no secret), and the caller decides.
/// </summary>
internal sealed class GitHubRunnerRegistrationSource(RunnerListing listing, ILogger<GitHubRunnerRegistrationSource> logger) : IRunnerRegistrationSource
{
    public async ValueTask<RegisteredRunner?> FindAsync(RunnerContext runner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var found = await listing.FindAsync(runner.Scope, runner.Name, RunnerListing.CheckMaxAge, cancellationToken).ConfigureAwait(false);
        if (found is null)
        {
            // Confirmed by name; the listing logged it, and the caller says what it does about it.
            return null;
        }

        Log.RunnerRegistration(
            logger,
            runner.Name,
            found.Id,
            found.CustomLabels.Count == 0 ? "(none)" : string.Join(',', found.CustomLabels),
            found.HasDefaultLabels,
            found.Ephemeral,
            found.RunnerGroupId);
        return found;
    }
}
