using Microsoft.Extensions.Logging;

namespace RunnerTokens.GitHub;

/// <summary>
/// The runner's registration as GitHub sees it: listed means valid with no expiry; confirmed absent (missing from the
/// listing, and GitHub asked by name has none) means invalid now (GitHub deletes a runner after 14 days offline, 1 day
/// if ephemeral, or an admin did); no answer, or no sure one, means unknown. One listing per scope serves all its
/// runners within <see cref="RunnerListing.CheckMaxAge"/>.
/// </summary>
internal sealed class GitHubRegistrationExpirySource(RunnerListing listing, ILogger<GitHubRegistrationExpirySource> logger) : IExpirySource
{
    public const string SourceName = "github";

    public async ValueTask<ExpiryObservation> ObserveAsync(RunnerContext runner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        RegisteredRunner? found;
        try
        {
            found = await listing.FindAsync(runner.Scope, runner.Name, RunnerListing.CheckMaxAge, cancellationToken).ConfigureAwait(false);
        }
        catch (GitHubApiException ex)
        {
            return ExpiryObservation.Unknown(SourceName, $"cannot tell from GitHub whether runner {runner.Name} is registered: {ex.Message}");
        }

        if (found is null)
        {
            Log.RunnerNotListed(logger, runner.Name, runner.Scope.DisplayName);
            return ExpiryObservation.Invalid(
                SourceName,
                $"runner {runner.Name} is not listed on GitHub (asked by name; deleted after 14 days offline or by an admin)");
        }

        Log.RunnerStatus(logger, runner.Name, found.Status ?? "unknown", found.Busy);
        return ExpiryObservation.ValidNoExpiry(SourceName);
    }
}
