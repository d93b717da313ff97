using RunnerTokens.TestKit.GitHub;

namespace RunnerTokens.GitHub.Tests.Runners;

public sealed class GitHubRunnerLabelSourceTests
{
    [Fact]
    public async Task GetCustomLabelsAsync_ListedRunner_ReturnsItsCustomLabelsWithoutTheDefaults()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "r1", labels: ["gpu", "large-disk"]);

        var labels = await h.LabelSource.GetCustomLabelsAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.Equal(["gpu", "large-disk"], labels);
        var request = Assert.Single(h.Api.Requests);
        Assert.Equal("/orgs/acme/actions/runners", request.Path);
    }

    [Fact]
    public async Task GetCustomLabelsAsync_NoCustomLabels_ReturnsEmptyNotNull()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "r1");

        var labels = await h.LabelSource.GetCustomLabelsAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.NotNull(labels);
        Assert.Empty(labels);
    }

    [Fact]
    public async Task GetCustomLabelsAsync_NotListed_ReturnsNullForUnknown()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "someone-else", labels: ["gpu"]);

        Assert.Null(await h.LabelSource.GetCustomLabelsAsync(GitHubHarness.Runner("r1"), CancellationToken.None));
    }

    [Fact]
    public async Task GetCustomLabelsAsync_AfterTheRegistrationSource_ReusesTheCheck()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("repos/octo/app", "r1", labels: ["arm64-box"]);
        var runner = GitHubHarness.Runner("r1", "repos/octo/app");

        await h.RegistrationSource.ObserveAsync(runner, CancellationToken.None);
        var labels = await h.LabelSource.GetCustomLabelsAsync(runner, CancellationToken.None);

        Assert.Equal(["arm64-box"], labels);
        Assert.Single(h.Api.Requests);
    }

    [Fact]
    public async Task GetCustomLabelsAsync_LabelsChangedAfterTheListingAged_SeesTheNewLabels()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        var listed = h.Api.AddRunner("enterprises/megacorp", "r1", labels: ["old"]);
        var runner = GitHubHarness.Runner("r1", "enterprises/megacorp");

        Assert.Equal(["old"], await h.LabelSource.GetCustomLabelsAsync(runner, CancellationToken.None));
        listed.Labels.Add("new");
        h.Time.Advance(GitHubRegistrationExpirySource.ListingMaxAge);

        Assert.Equal(["old", "new"], await h.LabelSource.GetCustomLabelsAsync(runner, CancellationToken.None));
    }

    [Fact]
    public async Task GetCustomLabelsAsync_GitHubFails_Throws()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Options.MaxRetryAttempts = 0;
        h.Api.AddRunner("orgs/acme", "r1", labels: ["gpu"]);
        h.Api.InjectFault(FakeFault.ServerError(500));

        await Assert.ThrowsAsync<GitHubApiException>(async () => await h.LabelSource.GetCustomLabelsAsync(GitHubHarness.Runner("r1"), CancellationToken.None));
    }

    [Fact]
    public async Task GetCustomLabelsAsync_NullRunner_Throws()
    {
        await using var h = await GitHubHarness.StartAsync();

        await Assert.ThrowsAsync<ArgumentNullException>(async () => await h.LabelSource.GetCustomLabelsAsync(null!, CancellationToken.None));
    }
}
