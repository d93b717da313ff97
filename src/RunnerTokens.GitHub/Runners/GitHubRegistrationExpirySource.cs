using Microsoft.Extensions.Logging;

namespace RunnerTokens.GitHub;

/// <summary>
/// The runner's registration as GitHub sees it: listed means valid with no expiry; not listed means invalid now (GitHub
/// deletes a runner after 14 days offline, 1 day if ephemeral, or an admin did); no answer means unknown. One listing
/// per scope serves all its runners within <see cref="ListingMaxAge"/>.
/// </summary>
internal sealed class GitHubRegistrationExpirySource(RunnerListing listing, ILogger<GitHubRegistrationExpirySource> logger) : IExpirySource
{
    public const string SourceName = "github";
    internal static readonly TimeSpan ListingMaxAge = TimeSpan.FromSeconds(30);

    public async ValueTask<ExpiryObservation> ObserveAsync(RunnerContext runner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        RunnerSnapshot snapshot;
        try
        {
            snapshot = await listing.GetAsync(runner.Scope, ListingMaxAge, cancellationToken).ConfigureAwait(false);
        }
        catch (GitHubApiException ex)
        {
            return ExpiryObservation.Unknown(SourceName, $"cannot list the runners of {runner.Scope.DisplayName} on GitHub: {ex.Message}");
        }

        if (snapshot.Find(runner.Name) is not { } listed)
        {
            Log.RunnerNotListed(logger, runner.Name, runner.Scope.DisplayName);
            return ExpiryObservation.Invalid(
                SourceName,
                $"runner {runner.Name} is not listed on GitHub (deleted after 14 days offline or by an admin)");
        }

        Log.RunnerStatus(logger, runner.Name, listed.Status, listed.Busy);
        return ExpiryObservation.ValidNoExpiry(SourceName);
    }
}
