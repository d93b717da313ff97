using System.IO.Abstractions;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RunnerTokens.TestKit;
using RunnerTokens.TestKit.GitHub;

namespace RunnerTokens.GitHub.Tests.Runners;

public sealed class GitHubRegistrationExpirySourceTests
{
    private static readonly ExpiryObservation Listening = ExpiryObservation.Unknown("listener-log", "Runner_1.log: the listener's latest word is \"Listening for Jobs\"");
    private static readonly ExpiryObservation NotListening = ExpiryObservation.Doubtful("listener-log", "no listener log: /opt/runner/r1/_diag does not exist");

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
    public async Task ObserveAsync_AnOrganisationOf1000Runners_AsksForEachRunnerByNameAndNeverListsTheScope()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.AddRunners(1000);
        h.Api.AddRunner("repos/octo/app", "r3");

        var kinds = new List<ExpiryObservationKind>();
        foreach (var runner in new[] { GitHubHarness.Runner("r1"), GitHubHarness.Runner("r999"), GitHubHarness.Runner("r3", "repos/octo/app"), GitHubHarness.Runner("gone") })
        {
            kinds.Add((await h.ExpirySource.ObserveAsync(runner, CancellationToken.None)).Kind);
        }

        Assert.Equal([ExpiryObservationKind.ValidNoExpiry, ExpiryObservationKind.ValidNoExpiry, ExpiryObservationKind.ValidNoExpiry, ExpiryObservationKind.InvalidNow], kinds);
        Assert.Equal(4, h.Api.Requests.Count);
        Assert.All(h.Api.Requests, r => Assert.Contains("name=", r.Query, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ObserveAsync_ListenerListening_AsksGitHubOncePerIntervalNotAtEveryCheck()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "r1");
        var runner = GitHubHarness.Runner("r1");

        // A simulated hour of checks, one a minute, with a listener that logs "Listening for Jobs".
        var kinds = new List<ExpiryObservationKind>();
        for (var minute = 0; minute < 60; minute++)
        {
            kinds.Add((await h.Source.ObserveAsync(runner, [Listening], CancellationToken.None)).Kind);
            h.Time.Advance(TimeSpan.FromMinutes(1));
        }

        // The default interval is 30 minutes, each wait drawn between 22.5 and 37.5: 2 or 3 questions an hour, the later
        // ones conditional (304, free against the rate limit).
        Assert.All(kinds, k => Assert.Equal(ExpiryObservationKind.ValidNoExpiry, k));
        Assert.InRange(h.RequestsByName().Count, 2, 3);
        Assert.All(h.RequestsByName().Skip(1), r => Assert.Equal(304, r.StatusCode));
    }

    [Fact]
    public async Task ObserveAsync_EachWait_IsDrawnBetweenThreeQuartersAndFiveQuartersOfTheInterval()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.AddRunners(20);

        var (first, then) = await WaitsAsync(h, [.. Enumerable.Range(0, 20).Select(i => GitHubHarness.Runner($"r{i}"))], TimeSpan.FromMinutes(30));

        // The first wait is drawn over a whole interval (7.5 to 37.5 minutes), so runners that start together do not
        // ask together again; the later ones between 22.5 and 37.5.
        Assert.All(first, w => Assert.InRange(w, TimeSpan.FromMinutes(7.5), TimeSpan.FromMinutes(37.5)));
        Assert.Contains(first, w => w < TimeSpan.FromMinutes(22.5));
        Assert.All(then, w => Assert.InRange(w, TimeSpan.FromMinutes(22.5), TimeSpan.FromMinutes(37.5)));
        Assert.True(first.Distinct().Count() > 10, $"a fleet started together spreads out: {string.Join(", ", first)}");
        Assert.True(then.Distinct().Count() > 10, $"and stays spread: {string.Join(", ", then)}");
    }

    [Theory]
    [InlineData(1, 30, null)]
    [InlineData(3, 30, null)]
    [InlineData(4, 40, "40 min")]
    [InlineData(24, 240, "4 h")]
    public async Task ObserveAsync_MoreRunnersThanTheHourlyQuestionsAllow_EachIsAskedLessOftenSoTheHostStaysWithinThem(int runners, int meanMinutes, string? cadence)
    {
        // GitHub:RegistrationChecksPerHour (6) across the process's runners: up to 3 at the 30-minute interval, more
        // stretch it (4 runners every 40 minutes, 24 every 4 hours), so the host asks about 6 questions an hour.
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.AddRunners(runners);
        h.ConfigureRunners(runners);

        var mean = TimeSpan.FromMinutes(meanMinutes);
        var (first, then) = await WaitsAsync(h, [.. Enumerable.Range(0, runners).Select(i => GitHubHarness.Runner($"r{i}"))], mean);

        Assert.All(first, w => Assert.InRange(w, mean * 0.25, mean * 1.25));
        Assert.All(then, w => Assert.InRange(w, mean * 0.75, mean * 1.25));
        var told = h.Logs.GetSnapshot().Where(r => r.Id.Id == 326).Select(r => r.Message).ToList();
        if (cadence is not null)
        {
            // Said once, not at each question: why a runner is asked about less often than RegistrationCheckInterval.
            Assert.Equal([$"{runners} runners, at most 6 questions to GitHub an hour (GitHub:RegistrationChecksPerHour): each runner whose log looks healthy is asked about every {cadence} on average"], told);
        }
        else
        {
            Assert.Empty(told);
        }
    }

    [Fact]
    public async Task ObserveAsync_ListenerNotListening_AsksAtOnceThenAtMostEveryFiveMinutes()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "r1");
        var runner = GitHubHarness.Runner("r1");
        await h.Source.ObserveAsync(runner, [Listening], CancellationToken.None);
        h.Time.Advance(TimeSpan.FromMinutes(1));

        await h.Source.ObserveAsync(runner, [NotListening], CancellationToken.None);
        var afterOneMinute = h.RequestsByName().Count;
        for (var minute = 0; minute < 10; minute++)
        {
            h.Time.Advance(TimeSpan.FromMinutes(1));
            await h.Source.ObserveAsync(runner, [NotListening], CancellationToken.None);
        }

        // The first question was at minute 0; a doubtful log asks again from minute 5, then at minute 10 (or 11).
        Assert.Equal(1, afterOneMinute);
        Assert.Equal(3, h.RequestsByName().Count);
        Assert.Contains(h.Logs.GetSnapshot(), r => r.Id.Id == 322 && r.Message.Contains("no listener log", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ObserveAsync_ManyRunnersDueAtOnce_AsksAtMost30AMinuteAndTheRestAtTheNextChecks()
    {
        // arrange: a daemon's first check of 40 runners, and 40 runners in doubt at once (their units stopped) an hour on
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.AddRunners(40);
        var runners = Enumerable.Range(0, 40).Select(i => GitHubHarness.Runner($"r{i}")).ToList();

        // act
        var first = await ObserveAllAsync([]);
        var firstAsked = h.RequestsByName().Count;
        h.Time.Advance(TimeSpan.FromMinutes(1));
        var second = await ObserveAllAsync([]);
        var secondAsked = h.RequestsByName().Count;
        h.Time.Advance(TimeSpan.FromHours(1));
        var doubtful = await ObserveAllAsync([NotListening]);
        var doubtfulAsked = h.RequestsByName().Count;

        // assert: 30 asked at each check; the 10 not asked yet are unknown the first time (never asked), valid the next
        // (GitHub listed them an hour ago), and were asked at the next check
        Assert.Equal(30, firstAsked);
        Assert.Equal(30, first.Count(o => o.Kind == ExpiryObservationKind.ValidNoExpiry));
        var notAsked = first.Where(o => o.Kind == ExpiryObservationKind.Unknown).ToList();
        Assert.Equal(10, notAsked.Count);
        Assert.All(notAsked, o => Assert.Contains("this process asked 30 questions this minute", o.Reason, StringComparison.Ordinal));
        Assert.Equal(40, secondAsked);
        Assert.All(second, o => Assert.Equal(ExpiryObservationKind.ValidNoExpiry, o.Kind));
        Assert.Equal(70, doubtfulAsked);
        Assert.All(doubtful, o => Assert.Equal(ExpiryObservationKind.ValidNoExpiry, o.Kind));
        Assert.Equal(2, h.Logs.GetSnapshot().Count(r => r.Id.Id == 330));

        async Task<List<ExpiryObservation>> ObserveAllAsync(IReadOnlyList<ExpiryObservation> local)
        {
            var observations = new List<ExpiryObservation>();
            foreach (var runner in runners)
            {
                observations.Add(await h.Source.ObserveAsync(runner, local, CancellationToken.None));
            }

            return observations;
        }
    }

    [Fact]
    public async Task ObserveAsync_ListenerNotListeningAndRunnerDeleted_SeesTheDeletionAtOnce()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "r1");
        var runner = GitHubHarness.Runner("r1");
        await h.Source.ObserveAsync(runner, [Listening], CancellationToken.None);
        h.Api.RemoveRunner("orgs/acme", "r1");
        h.Time.Advance(TimeSpan.FromMinutes(6));

        var healthy = await h.Source.ObserveAsync(runner, [Listening], CancellationToken.None);
        var doubtful = await h.Source.ObserveAsync(runner, [NotListening], CancellationToken.None);

        Assert.Equal(ExpiryObservationKind.ValidNoExpiry, healthy.Kind);
        Assert.Equal(ExpiryObservationKind.InvalidNow, doubtful.Kind);
    }

    [Fact]
    public async Task ObserveAsync_AnotherProcess_KeepsTheCadenceAndAsksWithTheETagTheFirstGot()
    {
        // Each timer or cron run is a new process: what the first learnt must serve the next ones.
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "r1");
        var runner = GitHubHarness.Runner("r1");
        await h.Source.ObserveAsync(runner, [Listening], CancellationToken.None);

        h.Time.Advance(TimeSpan.FromMinutes(1));
        var second = h.StartAnotherProcess().GetServices<IExpirySource>().OfType<GitHubRegistrationExpirySource>().Single();
        await second.ObserveAsync(runner, [Listening], CancellationToken.None);
        var afterTheSecondRun = h.Api.Requests.Count;

        h.Time.Advance(TimeSpan.FromMinutes(40));
        var third = h.StartAnotherProcess().GetServices<IExpirySource>().OfType<GitHubRegistrationExpirySource>().Single();
        var observation = await third.ObserveAsync(runner, [Listening], CancellationToken.None);

        Assert.Equal(1, afterTheSecondRun);
        Assert.Equal(ExpiryObservationKind.ValidNoExpiry, observation.Kind);
        Assert.Equal([200, 304], h.Api.Requests.Select(r => r.StatusCode));
        Assert.True(File.Exists(Path.Combine(h.Options.StateDirectory!, ResponseCacheStore.FileName)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(runner.StateDirectory, GitHubRegistrationExpirySource.FileName)));
    }

    [Fact]
    public async Task ObserveAsync_TheRecordOfAQuestion_IsReplacedWithoutWaitingForTheDiskAndOneACrashEmptiedIsAskedAgain()
    {
        // The record is replaced at every question (each runner about twice an hour: some 33 of a 1,000-runner daemon's
        // at each 60 s check), and its fsync was a tenth of a check's CPU where GitHub was asked about one runner in
        // thirty. Without it a crash may leave it empty: the next check then asks GitHub again.
        var fileSystem = new FlushRecordingFileSystem();
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.ConfigureServices = services => services.Replace(ServiceDescriptor.Singleton<IFileSystem>(fileSystem));
        h.Api.AddRunner("orgs/acme", "r1");
        var runner = GitHubHarness.Runner("r1");
        var record = Path.Combine(runner.StateDirectory, GitHubRegistrationExpirySource.FileName);

        await h.Source.ObserveAsync(runner, [Listening], CancellationToken.None);
        var recordFlushes = fileSystem.FlushedFiles.Where(f => Path.GetFileName(f.File).StartsWith($".{GitHubRegistrationExpirySource.FileName}.", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(recordFlushes);
        Assert.All(recordFlushes, f => Assert.False(f.ToDisk));
        Assert.Contains(fileSystem.FlushedFiles, f => Path.GetFileName(f.File).StartsWith($".{ResponseCacheStore.FileName}.", StringComparison.Ordinal) && f.ToDisk);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(record));
        Assert.Equal([record], Directory.GetFiles(runner.StateDirectory));

        // What a crash may leave of a record not flushed to disk: an empty file.
        File.WriteAllBytes(record, []);
        h.Time.Advance(TimeSpan.FromMinutes(1));
        var next = h.StartAnotherProcess().GetServices<IExpirySource>().OfType<GitHubRegistrationExpirySource>().Single();
        var observation = await next.ObserveAsync(runner, [Listening], CancellationToken.None);

        Assert.Equal(ExpiryObservationKind.ValidNoExpiry, observation.Kind);
        Assert.Equal([200, 304], h.RequestsByName().Select(r => r.StatusCode));
        Assert.True(ReadCheck(runner).GetProperty("listed").GetBoolean());
    }

    [Fact]
    public async Task ObserveAsync_BetweenTwoQuestions_TheDaemonKeepsItsOwnRecordAndReadsTheFileOnceDue()
    {
        // The daemon is the record's only writer: between two questions it does not even stat the file (1,000 stats a
        // check); a file changed meanwhile (here emptied) is read when this process's record is due, and asked then.
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "r1");
        var runner = GitHubHarness.Runner("r1");
        await h.Source.ObserveAsync(runner, [Listening], CancellationToken.None);
        var due = ReadCheck(runner).GetProperty("next_check_at").GetDateTimeOffset();
        File.WriteAllBytes(Path.Combine(runner.StateDirectory, GitHubRegistrationExpirySource.FileName), []);

        var asked = new List<int>();
        while (h.Time.GetUtcNow() < due)
        {
            h.Time.Advance(TimeSpan.FromMinutes(1));
            await h.Source.ObserveAsync(runner, [Listening], CancellationToken.None);
            asked.Add(h.RequestsByName().Count);
        }

        Assert.All(asked.SkipLast(1), n => Assert.Equal(1, n));
        Assert.Equal(2, asked[^1]);
        Assert.True(ReadCheck(runner).GetProperty("listed").GetBoolean());
    }

    [Fact]
    public async Task ObserveAsync_ManyRunnersInOneCheck_TheirAnswersReachTheNextProcessOnceTheCheckEnds()
    {
        // A daemon asks about many runners within seconds: the shared answers file is written at the first answer and
        // at the check's end, not once per answer, and no answer is lost on the way.
        await using var h = await GitHubHarness.StartWithPatAsync();
        var runners = Enumerable.Range(1, 5).Select(i => $"r{i}").ToList();
        runners.ForEach(name => h.Api.AddRunner("orgs/acme", name));
        foreach (var name in runners)
        {
            await h.Source.ObserveAsync(GitHubHarness.Runner(name), [Listening], CancellationToken.None);
        }

        var file = Path.Combine(h.Options.StateDirectory!, ResponseCacheStore.FileName);
        var beforeTheCheckEnds = File.ReadAllText(file);
        foreach (var observer in h.Services.GetServices<IRefreshCheckObserver>())
        {
            await observer.OnCheckCompletedAsync([], h.Time.GetUtcNow(), CancellationToken.None);
        }

        h.Time.Advance(TimeSpan.FromMinutes(40));
        var next = h.StartAnotherProcess().GetServices<IExpirySource>().OfType<GitHubRegistrationExpirySource>().Single();
        foreach (var name in runners)
        {
            await next.ObserveAsync(GitHubHarness.Runner(name), [Listening], CancellationToken.None);
        }

        Assert.Contains("name=r1", beforeTheCheckEnds, StringComparison.Ordinal);
        Assert.DoesNotContain("name=r5", beforeTheCheckEnds, StringComparison.Ordinal);
        Assert.Equal([.. Enumerable.Repeat(200, 5), .. Enumerable.Repeat(304, 5)], h.Api.Requests.Select(r => r.StatusCode));
    }

    [Fact]
    public async Task ObserveAsync_ProcessEndsBeforeACheckEnds_ItsAnswersReachTheNextProcess()
    {
        // A one-shot run (a timer's, cron's) has no daemon check to end: its answers are written as it ends.
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "r1");
        h.Api.AddRunner("orgs/acme", "r2");
        var first = h.StartAnotherProcess();
        var source = first.GetServices<IExpirySource>().OfType<GitHubRegistrationExpirySource>().Single();
        await source.ObserveAsync(GitHubHarness.Runner("r1"), [Listening], CancellationToken.None);
        await source.ObserveAsync(GitHubHarness.Runner("r2"), [Listening], CancellationToken.None);
        await first.DisposeAsync();

        h.Time.Advance(TimeSpan.FromMinutes(40));
        await h.Source.ObserveAsync(GitHubHarness.Runner("r2"), [Listening], CancellationToken.None);

        Assert.Equal([200, 200, 304], h.Api.Requests.Select(r => r.StatusCode));
    }

    [Fact]
    public async Task ObserveAsync_GitHubFails_IsUnknownWithTheReasonAndAsksAgainAfterFiveMinutes()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Options.MaxRetryAttempts = 0;
        h.Api.AddRunner("orgs/acme", "r1");
        h.Api.InjectFault(FakeFault.ServerError(503));
        var runner = GitHubHarness.Runner("r1");

        var observation = await h.Source.ObserveAsync(runner, [Listening], CancellationToken.None);
        for (var minute = 0; minute < 5; minute++)
        {
            h.Time.Advance(TimeSpan.FromMinutes(1));
            await h.Source.ObserveAsync(runner, [Listening], CancellationToken.None);
        }

        Assert.Equal(ExpiryObservationKind.Unknown, observation.Kind);
        Assert.Contains("cannot tell from GitHub whether runner r1 is registered", observation.Reason, StringComparison.Ordinal);
        Assert.Contains("503", observation.Reason, StringComparison.Ordinal);
        Assert.Equal([503, 200], h.Api.Requests.Select(r => r.StatusCode));
    }

    [Fact]
    public async Task ObserveAsync_ServerIgnoresTheNameFilter_IsUnknownNotInvalid()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.AddRunners(150);
        h.Api.IgnoreNameFilter = true;

        var observation = await h.ExpirySource.ObserveAsync(GitHubHarness.Runner("r149"), CancellationToken.None);

        Assert.Equal(ExpiryObservationKind.Unknown, observation.Kind);
        Assert.Contains("the server may not know the name filter", observation.Reason, StringComparison.Ordinal);
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

    /// <summary>
    /// Asks about each runner, then again once every first wait has passed: the waits each answer set, first and second.
    /// </summary>
    private static async Task<(List<TimeSpan> First, List<TimeSpan> Then)> WaitsAsync(GitHubHarness h, RunnerContext[] runners, TimeSpan mean)
    {
        var first = new List<TimeSpan>();
        var then = new List<TimeSpan>();
        foreach (var waits in new[] { first, then })
        {
            foreach (var runner in runners)
            {
                await h.Source.ObserveAsync(runner, [Listening], CancellationToken.None);
                var check = ReadCheck(runner);
                waits.Add(check.GetProperty("next_check_at").GetDateTimeOffset() - check.GetProperty("checked_at").GetDateTimeOffset());
            }

            h.Time.Advance(mean * 1.25);
        }

        Assert.Equal(runners.Length * 2, h.RequestsByName().Count);
        return (first, then);
    }

    private static JsonElement ReadCheck(RunnerContext runner) =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(runner.StateDirectory, GitHubRegistrationExpirySource.FileName))).RootElement;
}
