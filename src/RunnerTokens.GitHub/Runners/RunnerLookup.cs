using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RunnerTokens.GitHub;

/// <summary>
/// Asks GitHub for one runner by name (<c>GET …/actions/runners?name=NAME&amp;per_page=100</c>), never for the whole
/// scope: the cost of a check does not grow with the size of the organisation. Each answer is kept for as long as the
/// caller accepts it, and asked again with its <c>ETag</c> (kept in the state folder across runs): an unchanged answer is
/// a <c>304</c>, which GitHub does not count against the rate limit.
/// </summary>
internal sealed class RunnerLookup(
    IOptions<GitHubOptions> options,
    CredentialResolver credentials,
    GitHubApiClient api,
    TimeProvider timeProvider,
    ILogger<RunnerLookup> logger)
{
    internal const int PageSize = 100;

    /// <summary>How long one answer serves the calls of one check (the expiry source, then the registration source).</summary>
    internal static readonly TimeSpan CheckMaxAge = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, (RegisteredRunner? Runner, DateTimeOffset At)> _answers = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The runner named <paramref name="name"/> in <paramref name="scope"/>, asked no longer than <paramref name="maxAge"/> ago.</summary>
    /// <returns>The runner; <see langword="null"/> only when GitHub, asked by name, says it has none of that name.</returns>
    /// <exception cref="GitHubApiException">GitHub cannot be asked, or cannot tell.</exception>
    public async Task<RegisteredRunner?> FindAsync(RunnerScope scope, string name, TimeSpan maxAge, CancellationToken cancellationToken)
    {
        var apiRoot = ApiRoot.For(scope, options.Value.ApiUrl);
        var key = $"{apiRoot.AbsoluteUri}|{scope.ApiPath}|{name}";
        if (_answers.TryGetValue(key, out var held) && timeProvider.GetUtcNow() - held.At < maxAge)
        {
            return held.Runner;
        }

        var found = await AskByNameAsync(scope, apiRoot, name, cancellationToken).ConfigureAwait(false);
        if (found is null)
        {
            Log.RunnerAbsentConfirmed(logger, name, scope.DisplayName);
        }

        _answers[key] = (found, timeProvider.GetUtcNow());
        return found;
    }

    /// <summary>
    /// One read-only call with the credential a refresh of <paramref name="scope"/> would use:
    /// <c>GET …/actions/runners?name=NAME&amp;per_page=1</c>, never cached, so a refused or revoked credential shows now.
    /// </summary>
    /// <returns>The credential used, and whether GitHub has a runner of that name.</returns>
    /// <exception cref="GitHubApiException">No credential, or GitHub refused or did not answer (the message holds no secret).</exception>
    public async Task<(GitHubCredential Credential, bool Listed)> CheckAccessAsync(RunnerScope scope, string name, CancellationToken cancellationToken)
    {
        var apiRoot = ApiRoot.For(scope, options.Value.ApiUrl);
        var credential = await credentials.GetAsync(scope, apiRoot, cancellationToken).ConfigureAwait(false);
        var request = new GitHubRequest(HttpMethod.Get, apiRoot, $"{scope.ApiPath}/actions/runners", credential)
        {
            Query = new Dictionary<string, string> { ["name"] = name, ["per_page"] = "1" },
            PermissionHint = Permissions.For(scope, credential.Kind),
            Scope = scope,
        };
        var answer = await api.SendAsync<RunnerListResponse>(request, cancellationToken).ConfigureAwait(false);
        return (credential, answer.TotalCount > 0 || (answer.Runners ?? []).Any(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>
    /// <c>GET …/actions/runners?name=NAME</c>: GitHub's own answer to "is there a runner of this name". An answer that
    /// holds fewer runners than it counts, none of them that name (a server that ignores the filter, such as an old
    /// GitHub Enterprise Server, answering with its first page), tells nothing.
    /// </summary>
    private async Task<RegisteredRunner?> AskByNameAsync(RunnerScope scope, Uri apiRoot, string name, CancellationToken cancellationToken)
    {
        var credential = await credentials.GetAsync(scope, apiRoot, cancellationToken).ConfigureAwait(false);
        var request = new GitHubRequest(HttpMethod.Get, apiRoot, $"{scope.ApiPath}/actions/runners", credential)
        {
            Query = new Dictionary<string, string>
            {
                ["name"] = name,
                ["per_page"] = PageSize.ToString(CultureInfo.InvariantCulture),
            },
            Conditional = true,
            PermissionHint = Permissions.For(scope, credential.Kind),
            Scope = scope,
        };
        var answer = await api.SendAsync<RunnerListResponse>(request, cancellationToken).ConfigureAwait(false);
        var listed = answer.Runners ?? [];
        if (listed.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase)) is { Name: { } exact } runner)
        {
            return ToRegistered(runner, exact);
        }

        if (listed.Count < answer.TotalCount)
        {
            throw new GitHubApiException(
                string.Create(CultureInfo.InvariantCulture, $"GitHub counts {answer.TotalCount} runners for name={name} in {scope.DisplayName} but returned {listed.Count}, none of that name: the server may not know the name filter"),
                null,
                GitHubFailureKind.Transient);
        }

        return null;
    }

    private static RegisteredRunner ToRegistered(RunnerResponse runner, string name) => new(runner.Id, name)
    {
        CustomLabels = CustomLabels(runner.Labels),

        // The defaults (self-hosted, the OS, the architecture) are GitHub's read-only labels; --no-default-labels leaves
        // none. An answer without labels at all says nothing, so it counts as config.sh's default.
        HasDefaultLabels = runner.Labels is null || runner.Labels.Any(l => string.Equals(l.Type, "read-only", StringComparison.OrdinalIgnoreCase)),
        Ephemeral = runner.Ephemeral,
        RunnerGroupId = runner.RunnerGroupId,
        Busy = runner.Busy,
        Status = runner.Status,
    };

    private static string[] CustomLabels(List<LabelResponse>? labels) =>
        labels is null
            ? []
            : [.. labels
                .Where(l => string.Equals(l.Type, "custom", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(l.Name))
                .Select(l => l.Name!)
                .Distinct(StringComparer.OrdinalIgnoreCase)];
}
