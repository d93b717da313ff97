using Microsoft.Extensions.Logging;

namespace RunnerTokens.GitHub;

/// <summary>
/// The custom labels GitHub lists for a runner (labels of type <c>custom</c>; the defaults are <c>read-only</c>), from
/// the scope's listing that the check already fetched (within <see cref="GitHubRegistrationExpirySource.ListingMaxAge"/>).
/// A runner GitHub does not list has unknown labels (<see langword="null"/>). When GitHub cannot be asked this throws,
/// and the caller decides.
/// </summary>
internal sealed class GitHubRunnerLabelSource(RunnerListing listing, ILogger<GitHubRunnerLabelSource> logger) : IRunnerLabelSource
{
    public async ValueTask<IReadOnlyList<string>?> GetCustomLabelsAsync(RunnerContext runner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var snapshot = await listing.GetAsync(runner.Scope, GitHubRegistrationExpirySource.ListingMaxAge, cancellationToken).ConfigureAwait(false);
        if (snapshot.Find(runner.Name) is not { } listed)
        {
            // Not listed: deleted, or never registered. The registration source and the busy probe log that already.
            return null;
        }

        Log.RunnerLabels(logger, runner.Name, listed.CustomLabels.Count == 0 ? "(none)" : string.Join(',', listed.CustomLabels));
        return listed.CustomLabels;
    }
}
