using RunnerTokens.TestKit.GitHub;

namespace RunnerTokens.GitHub.Tests.Runners;

public sealed class GitHubRegistrationExpirySourceTests
{
    [Fact]
    public async Task ObserveAsync_Listed_IsValidWithNoExpiry()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "r1", status: "offline");

        var observation = await h.ExpirySource.ObserveAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.Equal(ExpiryObservationKind.ValidNoExpiry, observation.Kind);
        Assert.Equal("github", observation.Source);
    }

    [Fact]
    public async Task ObserveAsync_DeletedOnGitHub_IsInvalidNowSayingWhy()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "r1");
        h.Api.RemoveRunner("orgs/acme", "r1");

        var observation = await h.ExpirySource.ObserveAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.Equal(ExpiryObservationKind.InvalidNow, observation.Kind);
        Assert.Equal("runner r1 is not listed on GitHub (asked by name; deleted after 14 days offline or by an admin)", observation.Reason);
        Assert.Single(h.RequestsByName());
    }

    [Fact]
    public async Task ObserveAsync_MissingFromPagesButFoundByName_IsValidNotInvalid()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "r0");
        h.Api.AddRunner("orgs/acme", "r1").HiddenFromPages = true;

        var observation = await h.ExpirySource.ObserveAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.Equal(ExpiryObservationKind.ValidNoExpiry, observation.Kind);
    }

    [Fact]
    public async Task ObserveAsync_MissingAndAskingByNameFails_IsUnknownNotInvalid()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Options.MaxRetryAttempts = 0;
        h.Api.AddScope("orgs/acme");
        h.Api.InjectFault(FakeFault.ServerError(503), queryContains: "name=");

        var observation = await h.ExpirySource.ObserveAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.Equal(ExpiryObservationKind.Unknown, observation.Kind);
        Assert.Contains("asking GitHub for it by name failed", observation.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ObserveAsync_IncompleteListingAndAskingByNameFails_IsUnknownNotInvalid()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Options.MaxRetryAttempts = 0;
        h.AddRunners(150);
        h.Api.InjectFault(FakeFault.ServerError(502), queryContains: "page=2");
        h.Api.InjectFault(FakeFault.SecondaryRateLimit(retryAfterSeconds: null), queryContains: "name=");

        var observation = await h.ExpirySource.ObserveAsync(GitHubHarness.Runner("r149"), CancellationToken.None);

        Assert.Equal(ExpiryObservationKind.Unknown, observation.Kind);
        Assert.Contains("incomplete (page 2 failed", observation.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ObserveAsync_PageCapReachedAndRunnerGone_IsInvalidOnlyAfterAskingByName()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.AddRunners(150);
        h.Listing.MaxPages = 1;

        var beyondTheCap = await h.ExpirySource.ObserveAsync(GitHubHarness.Runner("r149"), CancellationToken.None);
        var gone = await h.ExpirySource.ObserveAsync(GitHubHarness.Runner("r150"), CancellationToken.None);

        Assert.Equal(ExpiryObservationKind.ValidNoExpiry, beyondTheCap.Kind);
        Assert.Equal(ExpiryObservationKind.InvalidNow, gone.Kind);
        Assert.Equal(2, h.RequestsByName().Count);
        Assert.Single(h.Api.Requests, r => !r.Query.Contains("name=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ObserveAsync_ManyRunnersOfOneScopeInACheck_ListsTheScopeOnce()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "r1");
        h.Api.AddRunner("orgs/acme", "r2");
        h.Api.AddRunner("repos/octo/app", "r3");

        var kinds = new List<ExpiryObservationKind>();
        foreach (var runner in new[] { GitHubHarness.Runner("r1"), GitHubHarness.Runner("r2"), GitHubHarness.Runner("r3", "repos/octo/app"), GitHubHarness.Runner("gone") })
        {
            kinds.Add((await h.ExpirySource.ObserveAsync(runner, CancellationToken.None)).Kind);
        }

        Assert.Equal([ExpiryObservationKind.ValidNoExpiry, ExpiryObservationKind.ValidNoExpiry, ExpiryObservationKind.ValidNoExpiry, ExpiryObservationKind.InvalidNow], kinds);
        Assert.Equal(["/orgs/acme/actions/runners", "/repos/octo/app/actions/runners", "/orgs/acme/actions/runners"], h.Api.Requests.Select(r => r.Path));
        Assert.Contains("name=gone", Assert.Single(h.RequestsByName()).Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ObserveAsync_NextCheckUnchanged_Gets304AndSeesADeletion()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "r1");
        h.Api.AddRunner("orgs/acme", "r2");

        await h.ExpirySource.ObserveAsync(GitHubHarness.Runner("r1"), CancellationToken.None);
        h.Time.Advance(TimeSpan.FromSeconds(60));
        var unchanged = await h.ExpirySource.ObserveAsync(GitHubHarness.Runner("r1"), CancellationToken.None);
        h.Api.RemoveRunner("orgs/acme", "r1");
        h.Time.Advance(TimeSpan.FromSeconds(60));
        var deleted = await h.ExpirySource.ObserveAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.Equal(ExpiryObservationKind.ValidNoExpiry, unchanged.Kind);
        Assert.Equal(ExpiryObservationKind.InvalidNow, deleted.Kind);
        Assert.Equal([200, 304, 200, 200], h.Api.Requests.Select(r => r.StatusCode));
    }

    [Fact]
    public async Task ObserveAsync_GitHubFails_IsUnknownWithTheReason()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Options.MaxRetryAttempts = 0;
        h.Api.AddRunner("orgs/acme", "r1");
        h.Api.InjectFault(FakeFault.ServerError(503));

        var observation = await h.ExpirySource.ObserveAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.Equal(ExpiryObservationKind.Unknown, observation.Kind);
        Assert.Contains("cannot tell from GitHub whether runner r1 is registered", observation.Reason, StringComparison.Ordinal);
        Assert.Contains("503", observation.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ObserveAsync_NoCredential_IsUnknownWithoutAnyNetworkCall()
    {
        await using var h = await GitHubHarness.StartAsync();
        h.Api.AddRunner("orgs/acme", "r1");

        var observation = await h.ExpirySource.ObserveAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.Equal(ExpiryObservationKind.Unknown, observation.Kind);
        Assert.Contains("No GitHub credential found", observation.Reason, StringComparison.Ordinal);
        Assert.Empty(h.Api.Requests);
    }

    [Fact]
    public async Task ObserveAsync_AfterAnAnswerMissingTheScope_IsUnknownNotInvalid()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();

        var observation = await h.ExpirySource.ObserveAsync(GitHubHarness.Runner("r1", "orgs/renamed"), CancellationToken.None);

        Assert.Equal(ExpiryObservationKind.Unknown, observation.Kind);
        Assert.Contains("404", observation.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ObserveAsync_NullRunner_Throws()
    {
        await using var h = await GitHubHarness.StartAsync();

        await Assert.ThrowsAsync<ArgumentNullException>(async () => await h.ExpirySource.ObserveAsync(null!, CancellationToken.None));
    }

    [Fact]
    public async Task ObserveAsync_PatInTheReason_IsNeverShown()
    {
        await using var h = await GitHubHarness.StartAsync();
        h.Api.AddScope("orgs/acme");
        h.Environment["GITHUB_TOKEN"] = "ghp_UnknownToTheFake0000000000000000000000";

        var observation = await h.ExpirySource.ObserveAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.Equal(ExpiryObservationKind.Unknown, observation.Kind);
        Assert.Contains("401", observation.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("ghp_UnknownToTheFake", observation.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("ghp_UnknownToTheFake", h.AllLogText(), StringComparison.Ordinal);
    }
}
