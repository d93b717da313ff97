using RunnerTokens.TestKit.GitHub;

namespace RunnerTokens.GitHub.Tests.Runners;

public sealed class GitHubRegistrationExpirySourceTests
{
    [Fact]
    public async Task ObserveAsync_Listed_IsValidWithNoExpiry()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "r1", status: "offline");

        var observation = await h.RegistrationSource.ObserveAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.Equal(ExpiryObservationKind.ValidNoExpiry, observation.Kind);
        Assert.Equal("github", observation.Source);
    }

    [Fact]
    public async Task ObserveAsync_DeletedOnGitHub_IsInvalidNowSayingWhy()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "r1");
        h.Api.RemoveRunner("orgs/acme", "r1");

        var observation = await h.RegistrationSource.ObserveAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.Equal(ExpiryObservationKind.InvalidNow, observation.Kind);
        Assert.Equal("runner r1 is not listed on GitHub (deleted after 14 days offline or by an admin)", observation.Reason);
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
            kinds.Add((await h.RegistrationSource.ObserveAsync(runner, CancellationToken.None)).Kind);
        }

        Assert.Equal([ExpiryObservationKind.ValidNoExpiry, ExpiryObservationKind.ValidNoExpiry, ExpiryObservationKind.ValidNoExpiry, ExpiryObservationKind.InvalidNow], kinds);
        Assert.Equal(["/orgs/acme/actions/runners", "/repos/octo/app/actions/runners"], h.Api.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task ObserveAsync_NextCheckUnchanged_Gets304AndSeesADeletion()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "r1");
        h.Api.AddRunner("orgs/acme", "r2");

        await h.RegistrationSource.ObserveAsync(GitHubHarness.Runner("r1"), CancellationToken.None);
        h.Time.Advance(TimeSpan.FromSeconds(60));
        var unchanged = await h.RegistrationSource.ObserveAsync(GitHubHarness.Runner("r1"), CancellationToken.None);
        h.Api.RemoveRunner("orgs/acme", "r1");
        h.Time.Advance(TimeSpan.FromSeconds(60));
        var deleted = await h.RegistrationSource.ObserveAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.Equal(ExpiryObservationKind.ValidNoExpiry, unchanged.Kind);
        Assert.Equal(ExpiryObservationKind.InvalidNow, deleted.Kind);
        Assert.Equal([200, 304, 200], h.Api.Requests.Select(r => r.StatusCode));
    }

    [Fact]
    public async Task ObserveAsync_GitHubFails_IsUnknownWithTheReason()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Options.MaxRetryAttempts = 0;
        h.Api.AddRunner("orgs/acme", "r1");
        h.Api.InjectFault(FakeFault.ServerError(503));

        var observation = await h.RegistrationSource.ObserveAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.Equal(ExpiryObservationKind.Unknown, observation.Kind);
        Assert.Contains("cannot list the runners of acme on GitHub", observation.Reason, StringComparison.Ordinal);
        Assert.Contains("503", observation.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ObserveAsync_NoCredential_IsUnknownWithoutAnyNetworkCall()
    {
        await using var h = await GitHubHarness.StartAsync();
        h.Api.AddRunner("orgs/acme", "r1");

        var observation = await h.RegistrationSource.ObserveAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.Equal(ExpiryObservationKind.Unknown, observation.Kind);
        Assert.Contains("No GitHub credential found", observation.Reason, StringComparison.Ordinal);
        Assert.Empty(h.Api.Requests);
    }

    [Fact]
    public async Task ObserveAsync_AfterAnAnswerMissingTheScope_IsUnknownNotInvalid()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();

        var observation = await h.RegistrationSource.ObserveAsync(GitHubHarness.Runner("r1", "orgs/renamed"), CancellationToken.None);

        Assert.Equal(ExpiryObservationKind.Unknown, observation.Kind);
        Assert.Contains("404", observation.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ObserveAsync_PatInTheReason_IsNeverShown()
    {
        await using var h = await GitHubHarness.StartAsync();
        h.Api.AddScope("orgs/acme");
        h.Environment["GITHUB_TOKEN"] = "ghp_UnknownToTheFake0000000000000000000000";

        var observation = await h.RegistrationSource.ObserveAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.Equal(ExpiryObservationKind.Unknown, observation.Kind);
        Assert.Contains("401", observation.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("ghp_UnknownToTheFake", observation.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("ghp_UnknownToTheFake", h.AllLogText(), StringComparison.Ordinal);
    }
}
