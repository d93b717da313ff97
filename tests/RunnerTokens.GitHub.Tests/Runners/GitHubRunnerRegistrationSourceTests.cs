using Microsoft.Extensions.DependencyInjection;
using RunnerTokens.TestKit.GitHub;

namespace RunnerTokens.GitHub.Tests.Runners;

public sealed class GitHubRunnerRegistrationSourceTests
{
    [Fact]
    public async Task FindAsync_ListedRunner_ReturnsItAsGitHubListsItAskedByName()
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
        Assert.Equal("?name=r1&per_page=100", request.Query);
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
        var byName = Assert.Single(h.Api.Requests);
        Assert.Equal("/orgs/acme/actions/runners", byName.Path);
        Assert.Contains("name=r1", byName.Query, StringComparison.Ordinal);
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
        Assert.Single(h.Api.Requests);
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
        h.Time.Advance(RunnerLookup.CheckMaxAge);

        Assert.Equal(["old", "new"], (await h.RegistrationSource.FindAsync(runner, CancellationToken.None))?.CustomLabels);
    }

    [Fact]
    public async Task FindAsyncForARecord_AnswerTheRegistrationSourceGotAtItsCadence_ServesWithoutARequest()
    {
        // 24 runners: the registration source asks about each every 4 hours on average (at most 5), so a record kept up
        // to date takes its latest answer, 3 hours old, though the record itself asked for one hour.
        await using var h = await GitHubHarness.StartWithPatAsync();
        var listed = h.Api.AddRunner("orgs/acme", "r1", labels: ["old"]);
        h.ConfigureRunners(24);
        var runner = GitHubHarness.Runner("r1");
        await h.Source.ObserveAsync(runner, [], CancellationToken.None);
        listed.Labels.Add("new");
        h.Time.Advance(TimeSpan.FromHours(3));

        var kept = await h.RegistrationSource.FindAsync(runner, TimeSpan.FromHours(1), CancellationToken.None);
        var asked = h.Api.Requests.Count;
        var fresh = await h.RegistrationSource.FindAsync(runner, CancellationToken.None);

        Assert.Equal(["old"], kept?.CustomLabels);
        Assert.Equal(1, asked);

        // Before a registration the answer is always GitHub's of now.
        Assert.Equal(["old", "new"], fresh?.CustomLabels);
        Assert.Equal(2, h.Api.Requests.Count);
    }

    [Fact]
    public async Task FindAsyncForARecord_AnotherProcess_TakesTheAnswerFromTheRunnersCheckFile()
    {
        // A timer or cron run: the run that asked GitHub kept its answer in github-check.json; a later run's record
        // takes it from there (4 runners: asked every 40 minutes on average) instead of asking GitHub for the labels.
        await using var h = await GitHubHarness.StartWithPatAsync();
        var listed = h.Api.AddRunner("orgs/acme", "r1", labels: ["gpu", "x64"]);
        listed.Ephemeral = true;
        listed.RunnerGroupId = 3;
        h.ConfigureRunners(4);
        var runner = GitHubHarness.Runner("r1");
        await h.Source.ObserveAsync(runner, [], CancellationToken.None);
        h.Time.Advance(TimeSpan.FromMinutes(30));

        var later = h.StartAnotherProcess().GetServices<IRunnerRegistrationSource>().Single();
        var kept = await later.FindAsync(runner, TimeSpan.FromMinutes(10), CancellationToken.None);

        Assert.Single(h.Api.Requests);
        Assert.Equal(["gpu", "x64"], kept?.CustomLabels);
        Assert.Equal(true, kept?.Ephemeral);
        Assert.Equal(3, kept?.RunnerGroupId);
        Assert.Equal(listed.Id, kept?.Id);
    }

    [Fact]
    public async Task FindAsyncForARecord_AnotherProcessAndAHundredLongLabels_TakesTheAnswerFromTheRunnersCheckFile()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        string[] labels = [.. Enumerable.Range(0, 100).Select(i => $"label-{i:D3}-{new string('x', 50)}")];
        h.Api.AddRunner("orgs/acme", "r1", labels: labels);
        var runner = GitHubHarness.Runner("r1");
        await h.Source.ObserveAsync(runner, [], CancellationToken.None);

        var later = h.StartAnotherProcess().GetServices<IRunnerRegistrationSource>().Single();
        var kept = await later.FindAsync(runner, TimeSpan.FromMinutes(10), CancellationToken.None);

        Assert.Single(h.Api.Requests);
        Assert.Equal(labels, kept?.CustomLabels);
    }

    [Fact]
    public async Task FindAsyncForARecord_CheckFileOfAnotherName_AsksGitHub()
    {
        // The runner was renamed since the answer was kept: the answer is not its own.
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "r1");
        h.Api.AddRunner("orgs/acme", "r2", labels: ["renamed"]);
        var r1 = GitHubHarness.Runner("r1");
        await h.Source.ObserveAsync(r1, [], CancellationToken.None);

        var later = h.StartAnotherProcess().GetServices<IRunnerRegistrationSource>().Single();
        var renamed = new RunnerContext("r2", r1.Directory, GitHubHarness.ScopeUrl("orgs/acme"), r1.StateDirectory);
        var found = await later.FindAsync(renamed, TimeSpan.FromHours(6), CancellationToken.None);

        Assert.Equal(["renamed"], found?.CustomLabels);
        Assert.Equal(2, h.Api.Requests.Count);
    }

    [Fact]
    public async Task FindAsyncForARecord_AnswerOlderThanAllowed_AsksGitHub()
    {
        // One runner: the registration source asks every 30 minutes (at most 37.5); an answer 7 hours old is older than
        // both that and the 6 hours the record allows.
        await using var h = await GitHubHarness.StartWithPatAsync();
        var listed = h.Api.AddRunner("orgs/acme", "r1", labels: ["old"]);
        var runner = GitHubHarness.Runner("r1");
        await h.RegistrationSource.FindAsync(runner, TimeSpan.FromHours(6), CancellationToken.None);
        listed.Labels.Add("new");
        h.Time.Advance(TimeSpan.FromHours(5));
        var young = await h.RegistrationSource.FindAsync(runner, TimeSpan.FromHours(6), CancellationToken.None);
        h.Time.Advance(TimeSpan.FromHours(2));

        var old = await h.RegistrationSource.FindAsync(runner, TimeSpan.FromHours(6), CancellationToken.None);

        Assert.Equal(["old"], young?.CustomLabels);
        Assert.Equal(["old", "new"], old?.CustomLabels);
        Assert.Equal(2, h.Api.Requests.Count);
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
    public async Task FindAsync_AskingByNameFails_ThrowsNotNull()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Options.MaxRetryAttempts = 0;
        h.Api.AddRunner("orgs/acme", "r1");
        h.Api.InjectFault(FakeFault.ServerError(503), queryContains: "name=");

        var ex = await Assert.ThrowsAsync<GitHubApiException>(async () => await h.RegistrationSource.FindAsync(GitHubHarness.Runner("r1"), CancellationToken.None));

        Assert.Equal(503, ex.StatusCode);
    }

    [Fact]
    public async Task FindAsync_AskingByNameFails_AsksAgainNextTime()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Options.MaxRetryAttempts = 0;
        h.Api.AddRunner("orgs/acme", "r1");
        h.Api.AddRunner("orgs/acme", "r2");
        h.Api.InjectFault(FakeFault.ServerError(503), queryContains: "name=");

        await Assert.ThrowsAsync<GitHubApiException>(async () => await h.RegistrationSource.FindAsync(GitHubHarness.Runner("r2"), CancellationToken.None));
        var found = await h.RegistrationSource.FindAsync(GitHubHarness.Runner("r2"), CancellationToken.None);

        Assert.Equal("r2", found?.Name);
        Assert.Equal(2, h.RequestsByName().Count);
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
