using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RunnerTokens.GitHub;

/// <summary>One runner as GitHub lists it.</summary>
internal sealed record ListedRunner(long Id, string Name, string Status, bool Busy)
{
    /// <summary>Gets the labels of type <c>custom</c>, in GitHub's order: those <c>config.sh --labels</c> gave.</summary>
    public IReadOnlyList<string> CustomLabels { get; init; } = [];
}

/// <summary>The runners of one scope at one time.</summary>
internal sealed class RunnerSnapshot(IReadOnlyDictionary<string, ListedRunner> runners, DateTimeOffset fetchedAt)
{
    public DateTimeOffset FetchedAt { get; } = fetchedAt;

    public int Count => runners.Count;

    public ListedRunner? Find(string name) => runners.TryGetValue(name, out var runner) ? runner : null;
}

/// <summary>
/// Lists the runners of a scope (<c>GET …/actions/runners?per_page=100&amp;page=N</c>) and keeps the listing, so one listing
/// serves every runner of that scope in a check. Pages are asked again with their <c>ETag</c>: an unchanged page is a
/// <c>304</c>, which GitHub does not count against the rate limit.
/// </summary>
internal sealed class RunnerListing(
    IOptions<GitHubOptions> options,
    CredentialResolver credentials,
    GitHubApiClient api,
    TimeProvider timeProvider,
    ILogger<RunnerListing> logger)
{
    internal const int PageSize = 100;
    private const int MaxPages = 100;

    private readonly ConcurrentDictionary<string, RunnerSnapshot> _snapshots = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The scope's runners, listed no longer than <paramref name="maxAge"/> ago.</summary>
    public async Task<RunnerSnapshot> GetAsync(RunnerScope scope, TimeSpan maxAge, CancellationToken cancellationToken)
    {
        var apiRoot = ApiRoot.For(scope, options.Value.ApiUrl);
        var key = $"{apiRoot.AbsoluteUri}|{scope.ApiPath}";
        var gate = _gates.GetOrAdd(key, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_snapshots.TryGetValue(key, out var held) && timeProvider.GetUtcNow() - held.FetchedAt < maxAge)
            {
                return held;
            }

            var credential = await credentials.GetAsync(scope, apiRoot, cancellationToken).ConfigureAwait(false);
            var runners = new Dictionary<string, ListedRunner>(StringComparer.OrdinalIgnoreCase);
            for (var page = 1; page <= MaxPages; page++)
            {
                var answer = await api.SendAsync<RunnerListResponse>(
                    new GitHubRequest(HttpMethod.Get, apiRoot, $"{scope.ApiPath}/actions/runners", credential)
                    {
                        Query = new Dictionary<string, string>
                        {
                            ["per_page"] = PageSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
                            ["page"] = page.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        },
                        Conditional = true,
                        PermissionHint = Permissions.For(scope, credential.Kind),
                    },
                    cancellationToken).ConfigureAwait(false);
                var listed = answer.Runners ?? [];
                foreach (var runner in listed)
                {
                    if (runner.Name is { Length: > 0 } name)
                    {
                        runners[name] = new ListedRunner(runner.Id, name, runner.Status ?? "unknown", runner.Busy)
                        {
                            CustomLabels = CustomLabels(runner.Labels),
                        };
                    }
                }

                if (listed.Count < PageSize || page * PageSize >= answer.TotalCount)
                {
                    break;
                }
            }

            var snapshot = new RunnerSnapshot(runners, timeProvider.GetUtcNow());
            _snapshots[key] = snapshot;
            Log.RunnersListed(logger, runners.Count, scope.DisplayName);
            return snapshot;
        }
        finally
        {
            gate.Release();
        }
    }

    private static string[] CustomLabels(List<LabelResponse>? labels) =>
        labels is null
            ? []
            : [.. labels
                .Where(l => string.Equals(l.Type, "custom", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(l.Name))
                .Select(l => l.Name!)
                .Distinct(StringComparer.OrdinalIgnoreCase)];
}
