using System.Text.Json;
using Microsoft.Extensions.Logging;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using RunnerTokens.TestKit;

namespace RunnerTokens.Tests.Refresh;

public sealed class RefreshEngineTests : IDisposable
{
    private readonly EngineFixture _fixture = new();

    private DateTimeOffset Now => _fixture.Time.GetUtcNow();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task RunOnceAsync_ExpiryBeyondThreshold_DoesNotRefresh()
    {
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(301)));

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.NotNeeded, Assert.Single(results).Outcome);
        await _fixture.Issuer.DidNotReceiveWithAnyArgs().CreateRegistrationTokenAsync(default!, default);
        await _fixture.Reconfigurer.DidNotReceiveWithAnyArgs().ReconfigureAsync(default!, default!, default!, default);
        Assert.Contains(_fixture.LogLines, l => l.Contains("runner-1", StringComparison.Ordinal)
            && l.Contains("source=cache", StringComparison.Ordinal)
            && l.Contains("seconds_left=301", StringComparison.Ordinal)
            && l.Contains("action=none", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunOnceAsync_SameDecisionToDoNothing_IsLoggedAtInformationOnceAnHourAndOnEachChange()
    {
        // arrange: a daemon's checks a minute apart, the token far from its threshold
        var sut = _fixture.CreateSut();
        var expires = Now.AddDays(2);
        _fixture.SourceSays(ExpiryObservation.Expires("cache", expires));
        var levels = new List<LogLevel>();
        async Task CheckAsync(TimeSpan later)
        {
            _fixture.Time.Advance(later);
            _fixture.Logs.Clear();
            await sut.RunOnceAsync(CancellationToken.None);
            levels.Add(Assert.Single(_fixture.Logs.GetSnapshot(), r => r.Id.Id == 100).Level);
        }

        // act: the first check, 59 more within the hour, the hour's, another source, and the first one back
        await CheckAsync(TimeSpan.Zero);
        for (var i = 0; i < 59; i++)
        {
            await CheckAsync(TimeSpan.FromMinutes(1));
        }

        await CheckAsync(TimeSpan.FromMinutes(1));
        _fixture.SourceSays(ExpiryObservation.Expires("runner-files", expires));
        await CheckAsync(TimeSpan.FromMinutes(1));
        _fixture.SourceSays(ExpiryObservation.Expires("cache", expires));
        await CheckAsync(TimeSpan.FromMinutes(1));

        // assert: the journal keeps the first, the hourly one and each change; --log-level debug shows the rest
        Assert.Equal(LogLevel.Information, levels[0]);
        Assert.All(levels.Skip(1).Take(59), level => Assert.Equal(LogLevel.Debug, level));
        Assert.Equal([LogLevel.Information, LogLevel.Information, LogLevel.Information], levels.Skip(60));
    }

    [Fact]
    public async Task RunOnceAsync_DecisionToRefresh_IsLoggedAtInformationAtEveryCheck()
    {
        // arrange: the token issuer fails, so each check decides to refresh again
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(10)));
        _fixture.Issuer.CreateRegistrationTokenAsync(default!, default).ReturnsForAnyArgs<RegistrationToken>(_ => throw new HttpRequestException("down"));
        _fixture.Configure = o => o.MaxRetryAttempts = 1;
        var sut = _fixture.CreateSut();

        // act
        await sut.RunOnceAsync(CancellationToken.None);
        _fixture.Time.Advance(TimeSpan.FromMinutes(1));
        await sut.RunOnceAsync(CancellationToken.None);

        // assert
        var decisions = _fixture.Logs.GetSnapshot().Where(r => r.Id.Id == 100).ToList();
        Assert.Equal(2, decisions.Count);
        Assert.All(decisions, r => Assert.Equal(LogLevel.Information, r.Level));
        Assert.All(decisions, r => Assert.Contains("action=refresh", r.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunOnceAsync_ExpiryWithinThreshold_RefreshesAndCachesNewExpiry()
    {
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(299)));

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.Refreshed, Assert.Single(results).Outcome);
        await _fixture.Issuer.Received(1).CreateRegistrationTokenAsync(
            Arg.Is<RunnerScope>(s => s.Kind == RunnerScopeKind.Organization && s.Owner == "acme"), Arg.Any<CancellationToken>());
        await _fixture.Reconfigurer.Received(1).ReconfigureAsync(
            Arg.Is<RunnerContext>(r => r.Name == "runner-1"),
            Arg.Any<RunnerRegistration>(),
            Arg.Is<RegistrationToken>(t => t.Token == EngineFixture.Secret),
            Arg.Any<CancellationToken>());
        using var state = JsonDocument.Parse(File.ReadAllText(_fixture.StateFile()));
        Assert.Equal(Now.AddHours(1), state.RootElement.GetProperty("registration_token_expires_at").GetDateTimeOffset());
        Assert.DoesNotContain(EngineFixture.Secret, File.ReadAllText(_fixture.StateFile()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunOnceAsync_ExpiryPassed_Refreshes()
    {
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(-10)));

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.Refreshed, Assert.Single(results).Outcome);
        Assert.Contains(_fixture.LogLines, l => l.Contains("expired 10 s ago", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunOnceAsync_ThresholdOption_MovesTheRefreshPoint()
    {
        _fixture.Configure = o => o.RefreshThreshold = TimeSpan.FromSeconds(600);
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(500)));

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.Refreshed, Assert.Single(results).Outcome);
    }

    [Fact]
    public async Task RunOnceAsync_AnySourceSaysInvalid_RefreshesEvenWithFarExpiry()
    {
        var invalid = Substitute.For<IExpirySource>();
        invalid.ObserveAsync(default!, default).ReturnsForAnyArgs(ExpiryObservation.Invalid("github", "runner runner-1 is not listed"));
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddHours(1)));
        _fixture.ExtraSources.Add(invalid);
        var sut = _fixture.CreateSut();

        var results = await sut.RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.Refreshed, Assert.Single(results).Outcome);
        Assert.Contains(_fixture.LogLines, l => l.Contains("source=github", StringComparison.Ordinal) && l.Contains("not listed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunOnceAsync_RemoteSource_IsAskedAfterTheLocalOnesWithWhatTheySaw()
    {
        // arrange: a remote source, and a local one that sees something wrong
        var handed = new List<IReadOnlyList<ExpiryObservation>>();
        var remote = RemoteSourceSayingListed(handed);
        _fixture.Configure = o => o.Policy = RefreshPolicy.Registration;
        _fixture.ExtraSources.Add(remote);
        _fixture.SourceSays(ExpiryObservation.Doubtful("listener-log", "no listener log"));

        // act
        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        // assert
        Assert.Equal(RefreshOutcome.NotNeeded, Assert.Single(results).Outcome);
        var local = Assert.Single(Assert.Single(handed));
        Assert.Equal(ExpiryObservationKind.Doubtful, local.Kind);
        await remote.DidNotReceiveWithAnyArgs().ObserveAsync(default!, default);
    }

    [Fact]
    public async Task RunOnceAsync_HintSourceWithoutRemoteSource_IsNotAsked()
    {
        // arrange: the unit's state, say, under the expiry policy: no remote source it could point at the runner
        var hint = Substitute.For<IExpiryHintSource>();
        hint.ObserveAsync(default!, default).ReturnsForAnyArgs(ExpiryObservation.Doubtful("unit-state", "the unit is not running"));
        _fixture.ExtraSources.Add(hint);
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddHours(1)));

        // act
        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        // assert
        Assert.Equal(RefreshOutcome.NotNeeded, Assert.Single(results).Outcome);
        await hint.DidNotReceiveWithAnyArgs().ObserveAsync(default!, default);
    }

    [Fact]
    public async Task RunOnceAsync_HintSourceWithRemoteSource_IsAskedAndHandedOn()
    {
        // arrange
        var hint = Substitute.For<IExpiryHintSource>();
        hint.ObserveAsync(default!, default).ReturnsForAnyArgs(ExpiryObservation.Doubtful("unit-state", "the unit is not running"));
        var handed = new List<IReadOnlyList<ExpiryObservation>>();
        var remote = RemoteSourceSayingListed(handed);
        _fixture.Configure = o => o.Policy = RefreshPolicy.Registration;
        _fixture.ExtraSources.Add(hint);
        _fixture.ExtraSources.Add(remote);
        _fixture.SourceSays(ExpiryObservation.Unknown("listener-log", "healthy"));

        // act
        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        // assert
        Assert.Equal(RefreshOutcome.NotNeeded, Assert.Single(results).Outcome);
        Assert.Contains(Assert.Single(handed), o => o.Kind == ExpiryObservationKind.Doubtful && o.Source == "unit-state");
    }

    [Fact]
    public async Task RunOnceAsync_LocalSourceSaysInvalid_DoesNotAskTheRemoteOne()
    {
        var remote = Substitute.For<IRemoteExpirySource>();
        _fixture.Configure = o => o.Policy = RefreshPolicy.Registration;
        _fixture.ExtraSources.Add(remote);
        _fixture.SourceSays(ExpiryObservation.Invalid("listener-log", "the registration has been deleted from the server"));

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.Refreshed, Assert.Single(results).Outcome);
        await remote.DidNotReceiveWithAnyArgs().ObserveAsync(default!, default!, default);
    }

    [Fact]
    public async Task RunOnceAsync_OnlyDoubtful_DecidesAsUnknown()
    {
        _fixture.SourceSays(ExpiryObservation.Doubtful("listener-log", "no listener log"));

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.Refreshed, Assert.Single(results).Outcome);
        Assert.Contains("expiry unknown (listener-log: no listener log)", results[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunOnceAsync_EarliestOfSeveralExpiries_Decides()
    {
        var early = Substitute.For<IExpirySource>();
        early.ObserveAsync(default!, default).ReturnsForAnyArgs(ExpiryObservation.Expires("early", Now.AddSeconds(100)));
        _fixture.SourceSays(ExpiryObservation.Expires("late", Now.AddHours(2)));
        _fixture.ExtraSources.Add(early);
        var sut = _fixture.CreateSut();

        var results = await sut.RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.Refreshed, Assert.Single(results).Outcome);
        Assert.Contains(_fixture.LogLines, l => l.Contains("source=early", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunOnceAsync_NoSourceCanTell_Refreshes()
    {
        _fixture.SourceSays(ExpiryObservation.Unknown("cache", "nothing cached"));

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.Refreshed, Assert.Single(results).Outcome);
        Assert.Contains("expiry unknown", results[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunOnceAsync_SourceThrows_CountsAsUnknownAndRefreshes()
    {
        _fixture.Source.ObserveAsync(default!, default).ThrowsAsyncForAnyArgs(new IOException("disk on fire"));

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.Refreshed, Assert.Single(results).Outcome);
        Assert.Contains(_fixture.Logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("disk on fire", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunOnceAsync_ValidWithNoExpiry_DoesNotRefresh()
    {
        _fixture.SourceSays(ExpiryObservation.ValidNoExpiry("github"));

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.NotNeeded, Assert.Single(results).Outcome);
    }

    [Theory]
    [InlineData(-60)]
    [InlineData(10)]
    public async Task RunOnceAsync_RegistrationPolicyWithExpiry_DoesNotRefresh(int secondsLeft)
    {
        _fixture.Configure = o => o.Policy = RefreshPolicy.Registration;
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(secondsLeft)));

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.NotNeeded, Assert.Single(results).Outcome);
    }

    [Fact]
    public async Task RunOnceAsync_RegistrationPolicyWithUnknown_DoesNotRefresh()
    {
        _fixture.Configure = o => o.Policy = RefreshPolicy.Registration;
        _fixture.SourceSays(ExpiryObservation.Unknown("cache", "nothing cached"));

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.NotNeeded, Assert.Single(results).Outcome);
    }

    [Fact]
    public async Task RunOnceAsync_RegistrationPolicyWithInvalid_Refreshes()
    {
        _fixture.Configure = o => o.Policy = RefreshPolicy.Registration;
        _fixture.SourceSays(ExpiryObservation.Invalid("files", "registration missing: .runner"));

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.Refreshed, Assert.Single(results).Outcome);
    }

    [Fact]
    public async Task RunOnceAsync_RunnerBusy_PostponesWithoutTokenOrStop()
    {
        var probe = Substitute.For<IRunnerBusyProbe>();
        probe.GetBusyStateAsync(default!, default).ReturnsForAnyArgs(RunnerBusyState.Busy);
        _fixture.BusyProbes.Add(probe);
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(-1)));

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.Postponed, Assert.Single(results).Outcome);
        await _fixture.Issuer.DidNotReceiveWithAnyArgs().CreateRegistrationTokenAsync(default!, default);
        await _fixture.Reconfigurer.DidNotReceiveWithAnyArgs().ReconfigureAsync(default!, default!, default!, default);
        Assert.Contains(_fixture.LogLines, l => l.Contains("busy", StringComparison.Ordinal) && l.Contains("postponed", StringComparison.Ordinal));
        await _fixture.Sink.DidNotReceiveWithAnyArgs().RecordRefreshFailedAsync(default!, default, default, default);
    }

    [Fact]
    public async Task RunOnceAsync_RunnerBusyThenIdle_RefreshesAtNextCheck()
    {
        var probe = Substitute.For<IRunnerBusyProbe>();
        probe.GetBusyStateAsync(default!, default).ReturnsForAnyArgs(RunnerBusyState.Busy, RunnerBusyState.Idle);
        _fixture.BusyProbes.Add(probe);
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(-1)));
        var sut = _fixture.CreateSut();

        var first = await sut.RunOnceAsync(CancellationToken.None);
        var second = await sut.RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.Postponed, first[0].Outcome);
        Assert.Equal(RefreshOutcome.Refreshed, second[0].Outcome);
    }

    [Fact]
    public async Task RunOnceAsync_DryRun_LogsPlanAndChangesNothing()
    {
        _fixture.Configure = o => o.DryRun = true;
        _fixture.IncludeFileSource = true;
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(-1)));
        var recovery = Substitute.For<IRefreshRecovery>();
        _fixture.Recoveries.Add(recovery);

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.DryRun, Assert.Single(results).Outcome);
        await _fixture.Issuer.DidNotReceiveWithAnyArgs().CreateRegistrationTokenAsync(default!, default);
        await _fixture.Issuer.DidNotReceiveWithAnyArgs().CreateRemoveTokenAsync(default!, default);
        await _fixture.Reconfigurer.DidNotReceiveWithAnyArgs().ReconfigureAsync(default!, default!, default!, default);
        await recovery.DidNotReceiveWithAnyArgs().RecoverAsync(default!, default);
        await _fixture.Sink.DidNotReceiveWithAnyArgs().RecordCheckAsync(default!, default, default);
        Assert.False(Directory.Exists(Path.GetDirectoryName(_fixture.StateFile())));
        Assert.False(File.Exists(_fixture.MetricsFile()));
        Assert.Contains(_fixture.LogLines, l => l.Contains("dry run, step 1 of 4 would be: systemctl stop unit", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunOnceAsync_DryRunNotNeeded_DescribesNoPlan()
    {
        _fixture.Configure = o => o.DryRun = true;
        _fixture.SourceSays(ExpiryObservation.ValidNoExpiry("github"));

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.NotNeeded, Assert.Single(results).Outcome);
        await _fixture.Reconfigurer.DidNotReceiveWithAnyArgs().DescribePlanAsync(default!, default!, default);
    }

    [Fact]
    public async Task RunOnceAsync_FailsThenSucceeds_RetriesAsAWhole()
    {
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(-1)));
        _fixture.Reconfigurer.ReconfigureAsync(default!, default!, default!, default).ReturnsForAnyArgs(
            _ => throw new RunnerReconfigurationException("config.sh failed"),
            _ => throw new RunnerReconfigurationException("config.sh failed"),
            _ => Task.CompletedTask);

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.Refreshed, Assert.Single(results).Outcome);
        await _fixture.Issuer.ReceivedWithAnyArgs(3).CreateRegistrationTokenAsync(default!, default);
        Assert.Equal(2, _fixture.Logs.GetSnapshot().Count(r => r.Level == LogLevel.Warning && r.Message.Contains("attempt", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task RunOnceAsync_RetryBackoff_WaitsBetweenAttempts()
    {
        _fixture.Configure = o => o.RetryBackoff = TimeSpan.FromSeconds(30);
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(-1)));
        _fixture.Reconfigurer.ReconfigureAsync(default!, default!, default!, default).ReturnsForAnyArgs(
            _ => throw new RunnerReconfigurationException("config.sh failed"),
            _ => Task.CompletedTask);

        var run = _fixture.CreateSut().RunOnceAsync(CancellationToken.None);
        await WaitUntil(() => _fixture.Issuer.ReceivedCalls().Count() == 1);
        _fixture.Time.Advance(TimeSpan.FromSeconds(29));
        await Task.Delay(50);
        Assert.Single(_fixture.Issuer.ReceivedCalls());
        _fixture.Time.Advance(TimeSpan.FromSeconds(1));
        var results = await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(RefreshOutcome.Refreshed, Assert.Single(results).Outcome);
        Assert.Equal(2, _fixture.Issuer.ReceivedCalls().Count());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public async Task RunOnceAsync_EveryAttemptFails_TriesMaxRetryAttemptsTimesAndReportsFailed(int attempts)
    {
        _fixture.Configure = o => o.MaxRetryAttempts = attempts;
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(-1)));
        _fixture.Reconfigurer.ReconfigureAsync(default!, default!, default!, default)
            .ThrowsAsyncForAnyArgs(new RunnerReconfigurationException("config.sh remove failed: Uninstall service first"));

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.Failed, Assert.Single(results).Outcome);
        Assert.Contains("Uninstall service first", results[0].Reason, StringComparison.Ordinal);
        await _fixture.Reconfigurer.ReceivedWithAnyArgs(attempts).ReconfigureAsync(default!, default!, default!, default);
        await _fixture.Sink.Received(1).RecordRefreshFailedAsync(Arg.Any<RunnerContext>(), Arg.Any<DateTimeOffset>(), 1, Arg.Any<CancellationToken>());
        Assert.Contains(_fixture.Logs.GetSnapshot(), r => r.Level == LogLevel.Error && r.Message.Contains("keeps its previous registration", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunOnceAsync_NoTokenIssuer_FailsNamingTheMethodThatAddsOne()
    {
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(-1)));
        _fixture.Configure = o => o.MaxRetryAttempts = 1;
        _fixture.IncludeIssuer = false;

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.Failed, Assert.Single(results).Outcome);
        var logged = string.Join('\n', _fixture.Logs.GetSnapshot().Select(r => r.Message + " " + r.Exception?.Message));
        Assert.Contains("builder.AddGitHub() from RunnerTokens.GitHub", results[0].Reason + logged, StringComparison.Ordinal);
        await _fixture.Reconfigurer.DidNotReceiveWithAnyArgs().ReconfigureAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task RunOnceAsync_ThirdConsecutiveFailureAcrossRestarts_LogsCriticalAlert()
    {
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(-1)));
        _fixture.Issuer.CreateRegistrationTokenAsync(default!, default).ThrowsAsyncForAnyArgs(new HttpRequestException("502 Bad Gateway"));

        // Each run is a new engine, as cron starts a new process: the count must survive.
        await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);
        await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);
        Assert.DoesNotContain(_fixture.Logs.GetSnapshot(), r => r.Level == LogLevel.Critical);

        await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);
        Assert.Single(_fixture.Logs.GetSnapshot(), r => r.Level == LogLevel.Critical && r.Message.Contains("3 consecutive", StringComparison.Ordinal));

        await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);
        Assert.Contains(_fixture.Logs.GetSnapshot(), r => r.Level == LogLevel.Critical && r.Message.Contains("4 consecutive", StringComparison.Ordinal));
        await _fixture.Sink.Received(1).RecordRefreshFailedAsync(Arg.Any<RunnerContext>(), Arg.Any<DateTimeOffset>(), 4, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task RunOnceAsync_RunnerFileDeletedBetweenTwoChecks_TheSecondSeesIt()
    {
        // The files as a daemon finds them check after check: settled, so what is read from them is kept.
        _fixture.IncludeFileSource = true;
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddDays(30)));
        Directory.CreateDirectory(Path.GetDirectoryName(_fixture.StateFile())!);
        File.WriteAllText(_fixture.StateFile(), $"{{\"registration_token_expires_at\": \"{Now.AddDays(30):O}\"}}");
        await Task.Delay(RunnerTokens.Shared.FileStamp.SettleTime + TimeSpan.FromMilliseconds(100));
        var sut = _fixture.CreateSut();
        Assert.Equal(RefreshOutcome.NotNeeded, Assert.Single(await sut.RunOnceAsync(CancellationToken.None)).Outcome);
        Assert.Equal(RefreshOutcome.NotNeeded, Assert.Single(await sut.RunOnceAsync(CancellationToken.None)).Outcome);

        File.Delete(_fixture.Runners[0].File(".runner"));
        var results = await sut.RunOnceAsync(CancellationToken.None);

        Assert.NotEqual(RefreshOutcome.NotNeeded, Assert.Single(results).Outcome);
        Assert.Contains(_fixture.LogLines, line => line.Contains("registration missing", StringComparison.Ordinal) && line.Contains(".runner does not exist", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunOnceAsync_FailureAtTheLargestCount_StaysCriticalInsteadOfOverflowing()
    {
        _fixture.IncludeFileSource = true;
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(-1)));
        _fixture.Issuer.CreateRegistrationTokenAsync(default!, default).ThrowsAsyncForAnyArgs(new HttpRequestException("502 Bad Gateway"));
        Directory.CreateDirectory(Path.GetDirectoryName(_fixture.StateFile())!);
        File.WriteAllText(_fixture.StateFile(), $"{{\"consecutive_failures\": {int.MaxValue}}}");

        await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        var health = RefreshHealth.Evaluate(_fixture.MetricsFile(), Now);
        Assert.Equal(RefreshHealthStatus.Critical, health.Status);
        Assert.Equal($"CRITICAL: {int.MaxValue} consecutive refresh failures", health.Message);
    }

    [Fact]
    public async Task RunOnceAsync_RegisteredAsDotDotWithSharedStateFolder_KeepsStateInsideIt()
    {
        using var runner = new RunnerDirectory(name: "..");
        var shared = Path.Combine(runner.Root, "state");
        Directory.CreateDirectory(shared);
        var parentMode = File.GetUnixFileMode(runner.Root);
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddDays(1)));
        _fixture.Configure = o =>
        {
            o.Runners.Clear();
            o.Runners.Add(new RunnerOptions { Directory = runner.Path, MetricsFile = Path.Combine(runner.Root, "m.json") });
            o.StateDirectory = shared;
        };

        await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(parentMode, File.GetUnixFileMode(runner.Root));
        Assert.False(File.Exists(Path.Combine(runner.Root, "refresh.lock")));
        Assert.True(File.Exists(Path.Combine(shared, "__", "refresh.lock")));
    }

    [Fact]
    public async Task RunOnceAsync_StateFolderIsASymbolicLink_RefusedAndTargetLeftAlone()
    {
        var target = Path.Combine(_fixture.Runners[0].Root, "elsewhere");
        Directory.CreateDirectory(target);
        File.SetUnixFileMode(target, (UnixFileMode)0b111_101_101);
        Directory.CreateSymbolicLink(Path.Combine(_fixture.Runners[0].Path, ".token-refresh"), target);
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddDays(1)));

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.Failed, Assert.Single(results).Outcome);
        Assert.Contains(".token-refresh is a symbolic link", results[0].Reason + string.Join('\n', _fixture.LogLines), StringComparison.Ordinal);
        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(target));
        Assert.Empty(Directory.GetFileSystemEntries(target));
    }

    [Fact]
    public async Task RunOnceAsync_LockFileIsASymbolicLink_RefusedAndTargetNotCreated()
    {
        var state = Path.Combine(_fixture.Runners[0].Path, ".token-refresh");
        Directory.CreateDirectory(state);
        var target = Path.Combine(_fixture.Runners[0].Root, "planted-target");
        File.CreateSymbolicLink(Path.Combine(state, "refresh.lock"), target);
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddDays(1)));

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.Failed, Assert.Single(results).Outcome);
        Assert.Contains("refresh.lock is a symbolic link", results[0].Reason, StringComparison.Ordinal);
        Assert.False(File.Exists(target));
    }

    [Fact]
    public async Task RunOnceAsync_SuccessAfterFailures_ResetsConsecutiveFailures()
    {
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(-1)));
        _fixture.Configure = o => o.MaxRetryAttempts = 1;
        _fixture.Reconfigurer.ReconfigureAsync(default!, default!, default!, default).ReturnsForAnyArgs(
            _ => throw new RunnerReconfigurationException("boom"),
            _ => throw new RunnerReconfigurationException("boom"),
            _ => Task.CompletedTask,
            _ => throw new RunnerReconfigurationException("boom"));
        var sut = _fixture.CreateSut();

        for (var i = 0; i < 4; i++)
        {
            await sut.RunOnceAsync(CancellationToken.None);
        }

        await _fixture.Sink.Received(2).RecordRefreshFailedAsync(Arg.Any<RunnerContext>(), Arg.Any<DateTimeOffset>(), 1, Arg.Any<CancellationToken>());
        await _fixture.Sink.Received(1).RecordRefreshFailedAsync(Arg.Any<RunnerContext>(), Arg.Any<DateTimeOffset>(), 2, Arg.Any<CancellationToken>());
        await _fixture.Sink.ReceivedWithAnyArgs(1).RecordRefreshSucceededAsync(default!, default, default);
    }

    [Fact]
    public async Task RunOnceAsync_OneRunnerFails_OthersAreStillRefreshed()
    {
        using var fixture = new EngineFixture(runners: 3);
        fixture.SourceSays(ExpiryObservation.Expires("cache", fixture.Time.GetUtcNow().AddSeconds(-1)));
        fixture.Configure = o => o.MaxRetryAttempts = 1;
        fixture.Reconfigurer.ReconfigureAsync(Arg.Is<RunnerContext>(r => r.Name == "runner-1"), Arg.Any<RunnerRegistration>(), Arg.Any<RegistrationToken>(), Arg.Any<CancellationToken>())
            .ThrowsAsync(new RunnerReconfigurationException("runner-1 broke"));
        fixture.Source.ObserveAsync(Arg.Is<RunnerContext>(r => r.Name == "runner-2"), Arg.Any<CancellationToken>())
            .Returns<ValueTask<ExpiryObservation>>(_ => throw new InvalidOperationException("source broke for runner-2"));

        var results = await fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(["runner-1", "runner-2", "runner-3"], results.Select(r => r.RunnerName));
        Assert.Equal([RefreshOutcome.Failed, RefreshOutcome.Refreshed, RefreshOutcome.Refreshed], results.Select(r => r.Outcome));
    }

    [Fact]
    public async Task RunOnceAsync_MetricsSinkThrows_RefreshStillSucceeds()
    {
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(-1)));
        _fixture.Sink.RecordRefreshSucceededAsync(default!, default, default).ReturnsForAnyArgs(_ => ValueTask.FromException(new IOException("read-only file system")));
        _fixture.Sink.RecordCheckAsync(default!, default, default).ReturnsForAnyArgs(_ => ValueTask.FromException(new IOException("read-only file system")));

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.Refreshed, Assert.Single(results).Outcome);
        Assert.Contains(_fixture.Logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("read-only file system", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunOnceAsync_RecordsCheckAndSuccess()
    {
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(-1)));

        await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        await _fixture.Sink.Received(1).RecordCheckAsync(Arg.Is<RunnerContext>(r => r.Name == "runner-1"), Now, Arg.Any<CancellationToken>());
        await _fixture.Sink.Received(1).RecordRefreshSucceededAsync(Arg.Is<RunnerContext>(r => r.Name == "runner-1"), Now, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task RunOnceAsync_Recovery_RunsBeforeObserving()
    {
        var order = new List<string>();
        var recovery = Substitute.For<IRefreshRecovery>();
        recovery.RecoverAsync(default!, default).ReturnsForAnyArgs(_ =>
        {
            order.Add("recover");
            return ValueTask.CompletedTask;
        });
        _fixture.Source.ObserveAsync(default!, default).ReturnsForAnyArgs(_ =>
        {
            order.Add("observe");
            return ExpiryObservation.ValidNoExpiry("github");
        });
        _fixture.Recoveries.Add(recovery);

        await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(["recover", "observe"], order);
    }

    [Fact]
    public async Task RunOnceAsync_NeverLogsTheToken()
    {
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(-1)));
        _fixture.Reconfigurer.ReconfigureAsync(default!, default!, default!, default).ReturnsForAnyArgs(
            call => throw new RunnerReconfigurationException($"failed with {call.Arg<RegistrationToken>()}"),
            _ => Task.CompletedTask);

        await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.NotEmpty(_fixture.Logs.GetSnapshot());
        Assert.All(_fixture.Logs.GetSnapshot(), r =>
        {
            Assert.DoesNotContain(EngineFixture.Secret, r.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(EngineFixture.Secret, r.Exception?.ToString() ?? string.Empty, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task RunOnceAsync_Cancelled_StopsWithCancellation()
    {
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(-1)));
        using var cts = new CancellationTokenSource();
        _fixture.Reconfigurer.ReconfigureAsync(default!, default!, default!, default).ReturnsForAnyArgs(_ =>
        {
            cts.Cancel();
            throw new OperationCanceledException(cts.Token);
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _fixture.CreateSut().RunOnceAsync(cts.Token));

        await _fixture.Reconfigurer.ReceivedWithAnyArgs(1).ReconfigureAsync(default!, default!, default!, default);
        await _fixture.Sink.DidNotReceiveWithAnyArgs().RecordRefreshFailedAsync(default!, default, default, default);
    }

    private static async Task WaitUntil(Func<bool> condition) => Assert.True(await Poll.UntilAsync(condition));

    /// <summary>A remote source that says GitHub lists the runner, keeping what the local sources handed it at each check.</summary>
    private static IRemoteExpirySource RemoteSourceSayingListed(List<IReadOnlyList<ExpiryObservation>> handed)
    {
        var remote = Substitute.For<IRemoteExpirySource>();
        remote.ObserveAsync(default!, default!, default).ReturnsForAnyArgs(call =>
        {
            handed.Add(call.ArgAt<IReadOnlyList<ExpiryObservation>>(1));
            return ExpiryObservation.ValidNoExpiry("github");
        });
        return remote;
    }
}
