using RunnerTokens.TestKit.GitHub;

namespace RunnerTokens.GitHub.Tests.Runners;

public sealed class GitHubRunnerRegistrationSourceTests
{
    [Fact]
    public async Task FindAsync_ListedRunner_ReturnsItAsGitHubListsItWithoutAskingByName()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        var listed = h.Api.AddRunner("orgs/acme", "r1", busy: true, status: "online", labels: ["large-disk", "gpu"]);

        var found = await h.RegistrationSource.FindAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.NotNull(found);
        Assert.Equal(listed.Id, found.Id);
        Assert.Equal("r1", found.Name);
        Assert.Equal(["large-disk", "gpu"], found.CustomLabels);
        Assert.True(found.HasDefaultLabels);
        Assert.False(found.Ephemeral);
        Assert.Equal(1, found.RunnerGroupId);
        Assert.True(found.Busy);
        Assert.Equal("online", found.Status);
        var request = Assert.Single(h.Api.Requests);
        Assert.Equal("/orgs/acme/actions/runners", request.Path);
        Assert.DoesNotContain("name=", request.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FindAsync_RegisteredWithNoDefaultLabels_HasDefaultLabelsFalse()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        var listed = h.Api.AddRunner("orgs/acme", "r1", labels: ["only-this"]);
        listed.DefaultLabels = false;

        var found = await h.RegistrationSource.FindAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.NotNull(found);
        Assert.False(found.HasDefaultLabels);
        Assert.Equal(["only-this"], found.CustomLabels);
    }

    [Fact]
    public async Task FindAsync_EphemeralRunnerInAGroup_ReadsEphemeralAndGroupId()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        var listed = h.Api.AddRunner("enterprises/megacorp", "r1");
        listed.Ephemeral = true;
        listed.RunnerGroupId = 7;

        var found = await h.RegistrationSource.FindAsync(GitHubHarness.Runner("r1", "enterprises/megacorp"), CancellationToken.None);

        Assert.NotNull(found);
        Assert.True(found.Ephemeral);
        Assert.Equal(7, found.RunnerGroupId);
    }

    [Fact]
    public async Task FindAsync_NoCustomLabels_ReturnsEmptyLabels()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "r1");

        var found = await h.RegistrationSource.FindAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.NotNull(found);
        Assert.Empty(found.CustomLabels);
        Assert.True(found.HasDefaultLabels);
    }

    [Fact]
    public async Task FindAsync_NameInOtherCase_ReturnsGitHubsSpelling()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "Build-01");

        var found = await h.RegistrationSource.FindAsync(GitHubHarness.Runner("build-01"), CancellationToken.None);

        Assert.Equal("Build-01", found?.Name);
    }

    [Fact]
    public async Task FindAsync_GitHubConfirmsNoSuchName_ReturnsNullAfterAskingByName()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "someone-else", labels: ["gpu"]);

        var found = await h.RegistrationSource.FindAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.Null(found);
        Assert.Equal(2, h.Api.Requests.Count);
        var byName = Assert.Single(h.RequestsByName());
        Assert.Equal("/orgs/acme/actions/runners", byName.Path);
        Assert.Contains("name=r1", byName.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FindAsync_MissingFromPagesButFoundByName_ReturnsIt()
    {
        // arrange: the runner slid across a page boundary while the pages were read
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "r0");
        var shifted = h.Api.AddRunner("orgs/acme", "r1", labels: ["gpu"]);
        shifted.HiddenFromPages = true;

        // act
        var found = await h.RegistrationSource.FindAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        // assert
        Assert.NotNull(found);
        Assert.Equal(shifted.Id, found.Id);
        Assert.Equal(["gpu"], found.CustomLabels);
        Assert.Single(h.RequestsByName());
        Assert.Contains(h.Logs.GetSnapshot(), r => r.Id.Id == 313 && r.Message.Contains("came or went between pages", StringComparison.Ordinal));
        Assert.Contains(h.Logs.GetSnapshot(), r => r.Id.Id == 314);
    }

    [Fact]
    public async Task FindAsync_RegisteredAfterTheListingWasTaken_IsFoundByName()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "r0");
        await h.ExpirySource.ObserveAsync(GitHubHarness.Runner("r0"), CancellationToken.None);
        h.Api.AddRunner("orgs/acme", "r1");

        var found = await h.RegistrationSource.FindAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.Equal("r1", found?.Name);
        Assert.Single(h.RequestsByName());
    }

    [Fact]
    public async Task FindAsync_AfterTheExpirySourceConfirmedAbsence_AsksNothingMore()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddScope("orgs/acme");
        var runner = GitHubHarness.Runner("r1");

        var observation = await h.ExpirySource.ObserveAsync(runner, CancellationToken.None);
        var found = await h.RegistrationSource.FindAsync(runner, CancellationToken.None);

        Assert.Equal(ExpiryObservationKind.InvalidNow, observation.Kind);
        Assert.Null(found);
        Assert.Equal(2, h.Api.Requests.Count);
        Assert.Single(h.RequestsByName());
    }

    [Fact]
    public async Task FindAsync_AfterTheExpirySource_ReusesTheListing()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("repos/octo/app", "r1", labels: ["arm64-box"]);
        var runner = GitHubHarness.Runner("r1", "repos/octo/app");

        await h.ExpirySource.ObserveAsync(runner, CancellationToken.None);
        var found = await h.RegistrationSource.FindAsync(runner, CancellationToken.None);

        Assert.Equal(["arm64-box"], found?.CustomLabels);
        Assert.Single(h.Api.Requests);
    }

    [Fact]
    public async Task FindAsync_LabelsChangedAfterTheListingAged_SeesTheNewLabels()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        var listed = h.Api.AddRunner("enterprises/megacorp", "r1", labels: ["old"]);
        var runner = GitHubHarness.Runner("r1", "enterprises/megacorp");

        Assert.Equal(["old"], (await h.RegistrationSource.FindAsync(runner, CancellationToken.None))?.CustomLabels);
        listed.Labels.Add("new");
        h.Time.Advance(RunnerListing.CheckMaxAge);

        Assert.Equal(["old", "new"], (await h.RegistrationSource.FindAsync(runner, CancellationToken.None))?.CustomLabels);
    }

    [Fact]
    public async Task FindAsync_ListingFails_ThrowsNotNull()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Options.MaxRetryAttempts = 0;
        h.Api.AddRunner("orgs/acme", "r1", labels: ["gpu"]);
        h.Api.InjectFault(FakeFault.ServerError(500));

        var ex = await Assert.ThrowsAsync<GitHubApiException>(async () => await h.RegistrationSource.FindAsync(GitHubHarness.Runner("r1"), CancellationToken.None));

        Assert.Equal(500, ex.StatusCode);
    }

    [Fact]
    public async Task FindAsync_MissingAndAskingByNameFails_ThrowsNotNull()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Options.MaxRetryAttempts = 0;
        h.Api.AddRunner("orgs/acme", "someone-else");
        h.Api.InjectFault(FakeFault.ServerError(503), queryContains: "name=");

        var ex = await Assert.ThrowsAsync<GitHubApiException>(async () => await h.RegistrationSource.FindAsync(GitHubHarness.Runner("r1"), CancellationToken.None));

        Assert.Equal(503, ex.StatusCode);
        Assert.Contains("Runner r1 is not in the listing of acme, and asking GitHub for it by name failed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FindAsync_MissingAndAskingByNameFails_AsksAgainNextTime()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Options.MaxRetryAttempts = 0;
        h.Api.AddRunner("orgs/acme", "r1");
        h.Api.AddRunner("orgs/acme", "r2").HiddenFromPages = true;
        h.Api.InjectFault(FakeFault.ServerError(503), queryContains: "name=");

        await Assert.ThrowsAsync<GitHubApiException>(async () => await h.RegistrationSource.FindAsync(GitHubHarness.Runner("r2"), CancellationToken.None));
        var found = await h.RegistrationSource.FindAsync(GitHubHarness.Runner("r2"), CancellationToken.None);

        Assert.Equal("r2", found?.Name);
        Assert.Equal(2, h.RequestsByName().Count);
    }

    [Fact]
    public async Task FindAsync_LaterPageFails_ServesTheRunnersOfEarlierPages()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Options.MaxRetryAttempts = 0;
        h.AddRunners(150);
        h.Api.InjectFault(FakeFault.ServerError(502), queryContains: "page=2");

        var found = await h.RegistrationSource.FindAsync(GitHubHarness.Runner("r5"), CancellationToken.None);

        Assert.Equal("r5", found?.Name);
        Assert.Empty(h.RequestsByName());
        Assert.Contains(h.Logs.GetSnapshot(), r => r.Id.Id == 313 && r.Message.Contains("page 2 failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FindAsync_LaterPageFails_FindsARunnerOfThatPageByName()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Options.MaxRetryAttempts = 0;
        var runners = h.AddRunners(150);
        h.Api.InjectFault(FakeFault.ServerError(502), queryContains: "page=2");

        var found = await h.RegistrationSource.FindAsync(GitHubHarness.Runner("r149"), CancellationToken.None);

        Assert.Equal(runners[149].Id, found?.Id);
        Assert.Single(h.RequestsByName());
    }

    [Fact]
    public async Task FindAsync_IncompleteListingAndAskingByNameFails_ThrowsSayingTheListingIsIncomplete()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Options.MaxRetryAttempts = 0;
        h.AddRunners(150);
        h.Api.InjectFault(FakeFault.ServerError(502), queryContains: "page=2");
        h.Api.InjectFault(FakeFault.ServerError(503), queryContains: "name=");

        var ex = await Assert.ThrowsAsync<GitHubApiException>(async () => await h.RegistrationSource.FindAsync(GitHubHarness.Runner("r149"), CancellationToken.None));

        Assert.Contains("which is incomplete (page 2 failed", ex.Message, StringComparison.Ordinal);
        Assert.Contains("asking GitHub for it by name failed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FindAsync_PageCapReachedWithMoreLeft_FindsARunnerBeyondItByName()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        var runners = h.AddRunners(150);
        h.Listing.MaxPages = 1;

        var found = await h.RegistrationSource.FindAsync(GitHubHarness.Runner("r149"), CancellationToken.None);

        Assert.Equal(runners[149].Id, found?.Id);
        Assert.Equal(2, h.Api.Requests.Count);
        Assert.Single(h.RequestsByName());
        Assert.Contains(h.Logs.GetSnapshot(), r => r.Id.Id == 313 && r.Message.Contains("stops at 1 pages", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FindAsync_PatInAFailure_IsNeverShown()
    {
        await using var h = await GitHubHarness.StartAsync();
        h.Api.AddScope("orgs/acme");
        h.Environment["GITHUB_TOKEN"] = "ghp_UnknownToTheFake0000000000000000000000";

        var ex = await Assert.ThrowsAsync<GitHubApiException>(async () => await h.RegistrationSource.FindAsync(GitHubHarness.Runner("r1"), CancellationToken.None));

        Assert.Equal(401, ex.StatusCode);
        Assert.DoesNotContain("ghp_UnknownToTheFake", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ghp_UnknownToTheFake", h.AllLogText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FindAsync_NullRunner_Throws()
    {
        await using var h = await GitHubHarness.StartAsync();

        await Assert.ThrowsAsync<ArgumentNullException>(async () => await h.RegistrationSource.FindAsync(null!, CancellationToken.None));
    }
}
