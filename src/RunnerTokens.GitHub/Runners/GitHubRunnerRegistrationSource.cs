using Microsoft.Extensions.Logging;

namespace RunnerTokens.GitHub;

/// <summary>
/// The runner as GitHub lists it (id, custom labels in GitHub's order, whether it has the default labels, ephemeral,
/// runner group, busy, status), asked for by name, or the answer this check already had (within
/// <see cref="RunnerLookup.CheckMaxAge"/>). Only GitHub's answer makes it "not found" (<see langword="null"/>). When GitHub cannot be asked, or cannot tell, this
/// throws <see cref="GitHubApiException"/> (the message holds no secret), and the caller decides.
/// </summary>
internal sealed class GitHubRunnerRegistrationSource(RunnerLookup lookup, ILogger<GitHubRunnerRegistrationSource> logger) : IRunnerRegistrationSource
{
    public async ValueTask<RegisteredRunner?> FindAsync(RunnerContext runner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var found = await lookup.FindAsync(runner.Scope, runner.Name, RunnerLookup.CheckMaxAge, cancellationToken).ConfigureAwait(false);
        if (found is null)
        {
            // GitHub has none of that name; the lookup logged it, and the caller says what it does about it.
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
