using RunnerTokens.TestKit.GitHub;

namespace RunnerTokens.GitHub.Tests.Runners;

public sealed class GitHubRunnerBusyProbeTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task IsBusyAsync_ListedRunner_ReturnsItsBusyFlag(bool busy)
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "r1", busy);

        var result = await h.BusyProbe.IsBusyAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.Equal(busy, result);
        var request = Assert.Single(h.Api.Requests);
        Assert.Equal("/orgs/acme/actions/runners", request.Path);
        Assert.Contains("per_page=100", request.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IsBusyAsync_NotListed_ReturnsFalse()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "someone-else", busy: true);

        Assert.False(await h.BusyProbe.IsBusyAsync(GitHubHarness.Runner("r1"), CancellationToken.None));
    }

    [Fact]
    public async Task IsBusyAsync_NameInOtherCase_IsFound()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "Build-01", busy: true);

        Assert.True(await h.BusyProbe.IsBusyAsync(GitHubHarness.Runner("build-01"), CancellationToken.None));
    }

    [Fact]
    public async Task IsBusyAsync_RunnerBecomesBusy_SeesItAtTheNextCheck()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        var runner = h.Api.AddRunner("orgs/acme", "r1");

        Assert.False(await h.BusyProbe.IsBusyAsync(GitHubHarness.Runner("r1"), CancellationToken.None));
        runner.Busy = true;
        Assert.True(await h.BusyProbe.IsBusyAsync(GitHubHarness.Runner("r1"), CancellationToken.None));
    }

    [Fact]
    public async Task IsBusyAsync_NothingChanged_RevalidatesWithTheETagAndGets304()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "r1", busy: true);

        await h.BusyProbe.IsBusyAsync(GitHubHarness.Runner("r1"), CancellationToken.None);
        var busy = await h.BusyProbe.IsBusyAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.True(busy);
        Assert.Equal([200, 304], h.Api.Requests.Select(r => r.StatusCode));
        Assert.Equal(h.Api.Requests[0].Header("authorization"), h.Api.Requests[1].Header("authorization"));
        Assert.NotNull(h.Api.Requests[1].Header("if-none-match"));
    }

    [Fact]
    public async Task IsBusyAsync_MoreThanOnePage_ReadsEveryPage()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        for (var i = 0; i < 150; i++)
        {
            h.Api.AddRunner("orgs/acme", $"r{i}", busy: i == 149);
        }

        Assert.True(await h.BusyProbe.IsBusyAsync(GitHubHarness.Runner("r149"), CancellationToken.None));
        Assert.Equal(2, h.Api.Requests.Count);
        Assert.Contains("page=2", h.Api.Requests[1].Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IsBusyAsync_GitHubFails_ThrowsSoTheRunnerIsNotStopped()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Options.MaxRetryAttempts = 0;
        h.Api.AddRunner("orgs/acme", "r1");
        h.Api.InjectFault(FakeFault.ServerError(500));

        await Assert.ThrowsAsync<GitHubApiException>(async () => await h.BusyProbe.IsBusyAsync(GitHubHarness.Runner("r1"), CancellationToken.None));
    }

    [Fact]
    public async Task IsBusyAsync_RepoAndEnterpriseScopes_ListTheirRunners()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("repos/octo/app", "r1", busy: true);
        h.Api.AddRunner("enterprises/megacorp", "r2", busy: true);

        Assert.True(await h.BusyProbe.IsBusyAsync(GitHubHarness.Runner("r1", "repos/octo/app"), CancellationToken.None));
        Assert.True(await h.BusyProbe.IsBusyAsync(GitHubHarness.Runner("r2", "enterprises/megacorp"), CancellationToken.None));
        Assert.Equal(["/repos/octo/app/actions/runners", "/enterprises/megacorp/actions/runners"], h.Api.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task IsBusyAsync_NullRunner_Throws()
    {
        await using var h = await GitHubHarness.StartAsync();

        await Assert.ThrowsAsync<ArgumentNullException>(async () => await h.BusyProbe.IsBusyAsync(null!, CancellationToken.None));
    }
}
