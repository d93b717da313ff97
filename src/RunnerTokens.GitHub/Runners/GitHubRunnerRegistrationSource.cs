using Microsoft.Extensions.Logging;

namespace RunnerTokens.GitHub;

/// <summary>
/// The runner as GitHub lists it (id, custom labels in GitHub's order, whether it has the default labels, ephemeral,
/// runner group, busy, status), asked for by name, or the answer this check already had (within
/// <see cref="RunnerLookup.CheckMaxAge"/>). Only GitHub's answer makes it "not found" (<see langword="null"/>). When GitHub cannot be asked, or cannot tell, this
/// throws <see cref="GitHubApiException"/> (the message holds no secret), and the caller decides.
/// </summary>
/// <remarks>
/// For a record kept up to date (<see cref="FindAsync(RunnerContext, TimeSpan, CancellationToken)"/>), an answer already
/// had serves while it is younger than the caller allows, or than the registration source (<c>--policy registration</c>)
/// promises to ask again: that source asks the same question at its own cadence and keeps the answer in the runner's
/// <c>github-check.json</c>, so the record costs no request of its own, in a daemon or in a timer or cron run.
/// </remarks>
/// <param name="lookup">Asks GitHub, and keeps its answers.</param>
/// <param name="registration">The registration source (<c>--policy registration</c>); null without it.</param>
/// <param name="logger">The logger.</param>
internal sealed class GitHubRunnerRegistrationSource(RunnerLookup lookup, Func<GitHubRegistrationExpirySource?> registration, ILogger<GitHubRunnerRegistrationSource> logger) : IRunnerRegistrationSource
{
    public ValueTask<RegisteredRunner?> FindAsync(RunnerContext runner, CancellationToken cancellationToken) =>
        FindAsync(runner, RunnerLookup.CheckMaxAge, allowOlder: false, cancellationToken);

    public ValueTask<RegisteredRunner?> FindAsync(RunnerContext runner, TimeSpan maxAge, CancellationToken cancellationToken) =>
        FindAsync(runner, maxAge, allowOlder: true, cancellationToken);

    private async ValueTask<RegisteredRunner?> FindAsync(RunnerContext runner, TimeSpan maxAge, bool allowOlder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        RegisteredRunner? kept = null;
        if (allowOlder && registration() is { } source)
        {
            if (source.LongestWait() is var cadence && cadence > maxAge)
            {
                maxAge = cadence;
            }

            kept = source.KeptAnswer(runner, maxAge);
        }

        var found = kept ?? await lookup.FindAsync(runner.Scope, runner.Name, maxAge, cancellationToken).ConfigureAwait(false);
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
