using RunnerTokens.TestKit.GitHub;

namespace RunnerTokens.GitHub.Tests.Runners;

public sealed class GitHubRunnerBusyProbeTests
{
    [Theory]
    [InlineData(true, RunnerBusyState.Busy)]
    [InlineData(false, RunnerBusyState.Idle)]
    public async Task GetBusyStateAsync_ListedRunner_FollowsItsBusyFlag(bool busy, RunnerBusyState expected)
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "r1", busy);

        var result = await h.BusyProbe.GetBusyStateAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.Equal(expected, result);
        var request = Assert.Single(h.Api.Requests);
        Assert.Equal("/orgs/acme/actions/runners", request.Path);
        Assert.Contains("per_page=100", request.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetBusyStateAsync_GitHubConfirmsNoSuchName_ReturnsIdle()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "someone-else", busy: true);

        var state = await h.BusyProbe.GetBusyStateAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.Equal(RunnerBusyState.Idle, state);
        Assert.Contains("name=r1", Assert.Single(h.RequestsByName()).Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetBusyStateAsync_AskingByNameFails_ReturnsUnknownAndLogsWhy()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Options.MaxRetryAttempts = 0;
        h.Api.AddRunner("orgs/acme", "r1", busy: true);
        h.Api.InjectFault(FakeFault.ServerError(503), queryContains: "name=");

        var state = await h.BusyProbe.GetBusyStateAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.Equal(RunnerBusyState.Unknown, state);
        var logged = Assert.Single(h.Logs.GetSnapshot(), r => r.Id.Id == 316);
        Assert.Contains("503", logged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetBusyStateAsync_AbsentEarlier_AsksByNameAgain()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddScope("orgs/acme");
        await h.ExpirySource.ObserveAsync(GitHubHarness.Runner("r1"), CancellationToken.None);
        h.Api.AddRunner("orgs/acme", "r1", busy: true);
        h.Time.Advance(TimeSpan.FromMinutes(1));

        var state = await h.BusyProbe.GetBusyStateAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.Equal(RunnerBusyState.Busy, state);
        Assert.Equal(2, h.RequestsByName().Count);
    }

    [Fact]
    public async Task GetBusyStateAsync_NameInOtherCase_IsFound()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "Build-01", busy: true);

        Assert.Equal(RunnerBusyState.Busy, await h.BusyProbe.GetBusyStateAsync(GitHubHarness.Runner("build-01"), CancellationToken.None));
    }

    [Fact]
    public async Task GetBusyStateAsync_RunnerBecomesBusy_SeesItAtTheNextCheck()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        var runner = h.Api.AddRunner("orgs/acme", "r1");

        Assert.Equal(RunnerBusyState.Idle, await h.BusyProbe.GetBusyStateAsync(GitHubHarness.Runner("r1"), CancellationToken.None));
        runner.Busy = true;
        h.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(RunnerBusyState.Busy, await h.BusyProbe.GetBusyStateAsync(GitHubHarness.Runner("r1"), CancellationToken.None));
    }

    [Fact]
    public async Task GetBusyStateAsync_RightAfterTheRefreshAsked_ReusesThatAnswerButNotAnOlderOne()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        var listed = h.Api.AddRunner("orgs/acme", "r1");
        var runner = GitHubHarness.Runner("r1");

        await h.RegistrationSource.FindAsync(runner, CancellationToken.None);
        listed.Busy = true;
        var moments = await h.BusyProbe.GetBusyStateAsync(runner, CancellationToken.None);
        h.Time.Advance(GitHubRunnerBusyProbe.MaxAge);
        var later = await h.BusyProbe.GetBusyStateAsync(runner, CancellationToken.None);

        // A moment after the refresh resolved the registration: that answer serves; 5 s later GitHub is asked again.
        Assert.Equal(RunnerBusyState.Idle, moments);
        Assert.Equal(RunnerBusyState.Busy, later);
        Assert.Equal(2, h.Api.Requests.Count);
    }

    [Fact]
    public async Task GetBusyStateAsync_NothingChanged_RevalidatesWithTheETagAndGets304()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "r1", busy: true);

        await h.BusyProbe.GetBusyStateAsync(GitHubHarness.Runner("r1"), CancellationToken.None);
        h.Time.Advance(TimeSpan.FromMinutes(1));
        var busy = await h.BusyProbe.GetBusyStateAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.Equal(RunnerBusyState.Busy, busy);
        Assert.Equal([200, 304], h.Api.Requests.Select(r => r.StatusCode));
        Assert.Equal(h.Api.Requests[0].Header("authorization"), h.Api.Requests[1].Header("authorization"));
        Assert.NotNull(h.Api.Requests[1].Header("if-none-match"));
    }

    [Fact]
    public async Task GetBusyStateAsync_GitHubFails_ReturnsUnknownAndLogsWhy()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Options.MaxRetryAttempts = 0;
        h.Api.AddRunner("orgs/acme", "r1");
        h.Api.InjectFault(FakeFault.ServerError(500));

        var state = await h.BusyProbe.GetBusyStateAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.Equal(RunnerBusyState.Unknown, state);
        Assert.Contains("500", Assert.Single(h.Logs.GetSnapshot(), r => r.Id.Id == 316).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetBusyStateAsync_NoCredential_ThrowsItsPermanentFailureWithoutAnyNetworkCall()
    {
        // Thrown rather than "unknown": the engine counts the state as unknown either way, but takes the failure's kind,
        // so a host with no credential at all fails the check at once instead of retrying it for a minute.
        await using var h = await GitHubHarness.StartAsync();
        h.Api.AddRunner("orgs/acme", "r1");

        var ex = await Assert.ThrowsAsync<GitHubApiException>(() => h.BusyProbe.GetBusyStateAsync(GitHubHarness.Runner("r1"), CancellationToken.None).AsTask());

        Assert.Equal(RefreshFailureKind.Permanent, ex.Kind);
        Assert.Contains("No GitHub credential", Assert.Single(h.Logs.GetSnapshot(), r => r.Id.Id == 316).Message, StringComparison.Ordinal);
        Assert.Empty(h.Api.Requests);
    }

    [Fact]
    public async Task GetBusyStateAsync_RepoAndEnterpriseScopes_ListTheirRunners()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("repos/octo/app", "r1", busy: true);
        h.Api.AddRunner("enterprises/megacorp", "r2", busy: true);

        Assert.Equal(RunnerBusyState.Busy, await h.BusyProbe.GetBusyStateAsync(GitHubHarness.Runner("r1", "repos/octo/app"), CancellationToken.None));
        Assert.Equal(RunnerBusyState.Busy, await h.BusyProbe.GetBusyStateAsync(GitHubHarness.Runner("r2", "enterprises/megacorp"), CancellationToken.None));
        Assert.Equal(["/repos/octo/app/actions/runners", "/enterprises/megacorp/actions/runners"], h.Api.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task GetBusyStateAsync_NullRunner_Throws()
    {
        await using var h = await GitHubHarness.StartAsync();

        await Assert.ThrowsAsync<ArgumentNullException>(async () => await h.BusyProbe.GetBusyStateAsync(null!, CancellationToken.None));
    }
}
