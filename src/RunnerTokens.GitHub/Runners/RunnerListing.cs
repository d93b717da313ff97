using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RunnerTokens.GitHub;

/// <summary>
/// The runners of one scope at one time. A name missing from it proves nothing (pages shift while runners come and go,
/// and the listing may be cut short: see <see cref="Incomplete"/>); <see cref="RunnerListing.FindAsync"/> asks GitHub
/// by name before anything treats a runner as absent, and keeps the answers here for as long as the listing is reused.
/// </summary>
internal sealed class RunnerSnapshot(IReadOnlyDictionary<string, RegisteredRunner> runners, DateTimeOffset fetchedAt, string? incomplete)
{
    private readonly ConcurrentDictionary<string, RegisteredRunner?> _confirmed = new(StringComparer.OrdinalIgnoreCase);

    public DateTimeOffset FetchedAt { get; } = fetchedAt;

    public int Count => runners.Count;

    /// <summary>Gets why the listing may lack runners GitHub has (a page cap, a count that does not add up, a failed page); <see langword="null"/> when it looks whole.</summary>
    public string? Incomplete { get; } = incomplete;

    /// <summary>The runner of that name in the listing; <see langword="null"/> when the listing does not hold it (which is not proof of absence).</summary>
    public RegisteredRunner? Find(string name) => runners.TryGetValue(name, out var runner) ? runner : null;

    internal bool TryGetConfirmed(string name, out RegisteredRunner? runner) => _confirmed.TryGetValue(name, out runner);

    internal void Confirm(string name, RegisteredRunner? runner) => _confirmed[name] = runner;
}

/// <summary>
/// Lists the runners of a scope (<c>GET …/actions/runners?per_page=100&amp;page=N</c>) and keeps the listing, so one listing
/// serves every runner of that scope in a check. Pages are asked again with their <c>ETag</c>: an unchanged page is a
/// <c>304</c>, which GitHub does not count against the rate limit. A name the listing lacks is asked for by name
/// (<c>GET …/actions/runners?name=NAME</c>, once per listing) before it is called absent: "not found" is never guessed.
/// </summary>
internal sealed class RunnerListing(
    IOptions<GitHubOptions> options,
    CredentialResolver credentials,
    GitHubApiClient api,
    TimeProvider timeProvider,
    ILogger<RunnerListing> logger)
{
    internal const int PageSize = 100;
    internal const int DefaultMaxPages = 100;

    /// <summary>How long one listing serves the registration checks of a scope: one check of many runners lists each scope once.</summary>
    internal static readonly TimeSpan CheckMaxAge = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, RunnerSnapshot> _snapshots = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the most pages one listing reads (<see cref="PageSize"/> runners each); beyond it the listing is incomplete. Settable for tests.</summary>
    internal int MaxPages { get; set; } = DefaultMaxPages;

    /// <summary>The scope's runners, listed no longer than <paramref name="maxAge"/> ago.</summary>
    /// <exception cref="GitHubApiException">No credential, or the first page could not be read.</exception>
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

            var snapshot = await ListAsync(scope, apiRoot, cancellationToken).ConfigureAwait(false);
            _snapshots[key] = snapshot;
            return snapshot;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// The runner named <paramref name="name"/> in <paramref name="scope"/>: from a listing no older than
    /// <paramref name="maxAge"/>, else asked for by name.
    /// </summary>
    /// <returns>The runner; <see langword="null"/> only when GitHub, asked by name, confirms it has none of that name.</returns>
    /// <exception cref="GitHubApiException">GitHub cannot be asked, or cannot tell (the question by name failed).</exception>
    public async Task<RegisteredRunner?> FindAsync(RunnerScope scope, string name, TimeSpan maxAge, CancellationToken cancellationToken)
    {
        var snapshot = await GetAsync(scope, maxAge, cancellationToken).ConfigureAwait(false);
        if (snapshot.Find(name) is { } listed)
        {
            return listed;
        }

        if (snapshot.TryGetConfirmed(name, out var confirmed))
        {
            return confirmed;
        }

        var apiRoot = ApiRoot.For(scope, options.Value.ApiUrl);
        RegisteredRunner? found;
        try
        {
            found = await AskByNameAsync(scope, apiRoot, name, cancellationToken).ConfigureAwait(false);
        }
        catch (GitHubApiException ex)
        {
            var listing = snapshot.Incomplete is null ? $"the listing of {scope.DisplayName}" : $"the listing of {scope.DisplayName}, which is incomplete ({snapshot.Incomplete})";
            throw new GitHubApiException(
                $"Runner {name} is not in {listing}, and asking GitHub for it by name failed: {ex.Message}",
                ex);
        }

        if (found is null)
        {
            Log.RunnerAbsentConfirmed(logger, name, scope.DisplayName);
        }
        else
        {
            Log.RunnerFoundByName(logger, name, scope.DisplayName);
        }

        snapshot.Confirm(name, found);
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
        };
        var answer = await api.SendAsync<RunnerListResponse>(request, cancellationToken).ConfigureAwait(false);
        return (credential, answer.TotalCount > 0 || (answer.Runners ?? []).Any(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase)));
    }

    private async Task<RunnerSnapshot> ListAsync(RunnerScope scope, Uri apiRoot, CancellationToken cancellationToken)
    {
        var credential = await credentials.GetAsync(scope, apiRoot, cancellationToken).ConfigureAwait(false);
        var runners = new Dictionary<string, RegisteredRunner>(StringComparer.OrdinalIgnoreCase);
        var counted = 0;
        string? incomplete = null;
        for (var page = 1; ; page++)
        {
            RunnerListResponse answer;
            try
            {
                answer = await api.SendAsync<RunnerListResponse>(ListRequest(scope, apiRoot, credential, page), cancellationToken).ConfigureAwait(false);
            }
            catch (GitHubApiException ex) when (page > 1)
            {
                // What the earlier pages hold is still true; what they lack is asked for by name.
                incomplete = string.Create(CultureInfo.InvariantCulture, $"page {page} failed: {ex.Message}");
                break;
            }

            var listed = answer.Runners ?? [];
            foreach (var runner in listed)
            {
                if (runner.Name is { Length: > 0 } name)
                {
                    runners[name] = ToRegistered(runner, name);
                }
            }

            // Runners come and go between pages: the highest count seen is the least that should be collected.
            counted = Math.Max(counted, answer.TotalCount);
            if (listed.Count < PageSize || page * PageSize >= answer.TotalCount)
            {
                break;
            }

            if (page >= MaxPages)
            {
                incomplete = string.Create(CultureInfo.InvariantCulture, $"it stops at {MaxPages} pages of {PageSize} while GitHub counts {answer.TotalCount} runners");
                break;
            }
        }

        if (incomplete is null && runners.Count < counted)
        {
            incomplete = string.Create(CultureInfo.InvariantCulture, $"{runners.Count} runners read while GitHub counts {counted}: runners came or went between pages");
        }

        if (incomplete is not null)
        {
            Log.ListingIncomplete(logger, scope.DisplayName, incomplete);
        }

        Log.RunnersListed(logger, runners.Count, scope.DisplayName);
        return new RunnerSnapshot(runners, timeProvider.GetUtcNow(), incomplete);
    }

    /// <summary>
    /// <c>GET …/actions/runners?name=NAME</c>: GitHub's own answer to "is there a runner of this name". An answer that
    /// holds fewer runners than it counts, none of them that name (a server that ignores the filter, say), tells nothing.
    /// </summary>
    private async Task<RegisteredRunner?> AskByNameAsync(RunnerScope scope, Uri apiRoot, string name, CancellationToken cancellationToken)
    {
        var credential = await credentials.GetAsync(scope, apiRoot, cancellationToken).ConfigureAwait(false);
        var answer = await api.SendAsync<RunnerListResponse>(ListRequest(scope, apiRoot, credential, page: 1, name), cancellationToken).ConfigureAwait(false);
        var listed = answer.Runners ?? [];
        if (listed.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase)) is { Name: { } exact } runner)
        {
            return ToRegistered(runner, exact);
        }

        if (listed.Count < answer.TotalCount)
        {
            throw new GitHubApiException(
                string.Create(CultureInfo.InvariantCulture, $"GitHub counts {answer.TotalCount} runners named {name} in {scope.DisplayName} but returned {listed.Count}, none of that name"),
                null,
                GitHubFailureKind.Transient);
        }

        return null;
    }

    private static GitHubRequest ListRequest(RunnerScope scope, Uri apiRoot, GitHubCredential credential, int page, string? name = null)
    {
        var query = new Dictionary<string, string>
        {
            ["per_page"] = PageSize.ToString(CultureInfo.InvariantCulture),
            ["page"] = page.ToString(CultureInfo.InvariantCulture),
        };
        if (name is not null)
        {
            query["name"] = name;
        }

        return new(HttpMethod.Get, apiRoot, $"{scope.ApiPath}/actions/runners", credential)
        {
            Query = query,
            Conditional = true,
            PermissionHint = Permissions.For(scope, credential.Kind),
        };
    }

    private static RegisteredRunner ToRegistered(RunnerResponse runner, string name) => new(runner.Id, name)
    {
        CustomLabels = CustomLabels(runner.Labels),

        // The defaults (self-hosted, the OS, the architecture) are GitHub's read-only labels; --no-default-labels leaves
        // none. A listing without labels at all says nothing, so it counts as config.sh's default.
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
