using NSubstitute;

using RunnerTokens.Tests.Refresh;

namespace RunnerTokens.Tests.Preflight;

/// <summary>The engine runs the checks that guard a refresh before it fetches a registration token.</summary>
public sealed class RefreshGuardTests : IDisposable
{
    private const string Title = "may stop and start actions.runner.acme.runner-1.service";
    private const string Remedy = "install deploy/50-runner-token-refresh.rules and clear SYSTEMCTL_PREFIX";

    private readonly EngineFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    private DateTimeOffset Now => _fixture.Time.GetUtcNow();

    [Fact]
    public async Task RunOnceAsync_GuardFails_FailsWithItsRemedyAndFetchesNoToken()
    {
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(10)));
        _fixture.Checks.Add(Guard(PreflightResult.Failed(Title, "sudo cannot work under no-new-privileges", Remedy, blocksRefresh: true)));

        var result = Assert.Single(await _fixture.CreateSut().RunOnceAsync(CancellationToken.None));

        Assert.Equal(RefreshOutcome.Failed, result.Outcome);
        Assert.Contains("sudo cannot work under no-new-privileges", result.Reason, StringComparison.Ordinal);
        Assert.Contains(Remedy, result.Reason, StringComparison.Ordinal);
        Assert.Contains("no registration token was fetched", result.Reason, StringComparison.Ordinal);
        await _fixture.Issuer.DidNotReceiveWithAnyArgs().CreateRegistrationTokenAsync(default!, default);
        await _fixture.Reconfigurer.DidNotReceiveWithAnyArgs().ReconfigureAsync(default!, default!, default!, default);
        await _fixture.Sink.Received(1).RecordRefreshFailedAsync(Arg.Any<RunnerContext>(), Arg.Any<DateTimeOffset>(), 1, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task RunOnceAsync_GuardFails_IsNotRetried()
    {
        _fixture.Configure = o => o.MaxRetryAttempts = 3;
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(10)));
        var guard = Guard(PreflightResult.Failed(Title, "refused", Remedy, blocksRefresh: true));
        _fixture.Checks.Add(guard);

        await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        await guard.Received(1).CheckAsync(Arg.Any<RunnerContext>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task RunOnceAsync_GuardCannotTell_RefreshesAndWarns()
    {
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(10)));
        _fixture.Checks.Add(Guard(PreflightResult.Unknown(Title, "polkit is unreachable")));

        var result = Assert.Single(await _fixture.CreateSut().RunOnceAsync(CancellationToken.None));

        Assert.Equal(RefreshOutcome.Refreshed, result.Outcome);
        Assert.Contains(_fixture.LogLines, l => l.Contains("polkit is unreachable", StringComparison.Ordinal) && l.Contains("refreshing anyway", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunOnceAsync_GuardThrows_CountsAsCannotTellAndRefreshes()
    {
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(10)));
        var guard = Substitute.For<IRunnerPreflightCheck>();
        guard.GuardsRefresh.Returns(true);
        guard.CheckAsync(default!, default).ReturnsForAnyArgs<ValueTask<IReadOnlyList<PreflightResult>>>(_ => throw new IOException("proc unreadable"));
        _fixture.Checks.Add(guard);

        var result = Assert.Single(await _fixture.CreateSut().RunOnceAsync(CancellationToken.None));

        Assert.Equal(RefreshOutcome.Refreshed, result.Outcome);
        Assert.Contains(_fixture.LogLines, l => l.Contains("proc unreadable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunOnceAsync_GuardPasses_Refreshes()
    {
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(10)));
        _fixture.Checks.Add(Guard(PreflightResult.Ok(Title, "root")));

        var result = Assert.Single(await _fixture.CreateSut().RunOnceAsync(CancellationToken.None));

        Assert.Equal(RefreshOutcome.Refreshed, result.Outcome);
        await _fixture.Issuer.Received(1).CreateRegistrationTokenAsync(Arg.Any<RunnerScope>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task RunOnceAsync_FailedCheckThatDoesNotGuard_DoesNotStopTheRefresh()
    {
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(10)));
        var check = Guard(PreflightResult.Failed("metrics file folder is writable", "read-only", "set METRICS_FILE", blocksRefresh: false), guards: false);
        _fixture.Checks.Add(check);

        var result = Assert.Single(await _fixture.CreateSut().RunOnceAsync(CancellationToken.None));

        Assert.Equal(RefreshOutcome.Refreshed, result.Outcome);
        await check.DidNotReceiveWithAnyArgs().CheckAsync(default!, default);
    }

    [Fact]
    public async Task RunOnceAsync_NoRefreshDue_RunsNoGuard()
    {
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddHours(1)));
        var guard = Guard(PreflightResult.Failed(Title, "refused", Remedy, blocksRefresh: true));
        _fixture.Checks.Add(guard);

        var result = Assert.Single(await _fixture.CreateSut().RunOnceAsync(CancellationToken.None));

        Assert.Equal(RefreshOutcome.NotNeeded, result.Outcome);
        await guard.DidNotReceiveWithAnyArgs().CheckAsync(default!, default);
    }

    private static IRunnerPreflightCheck Guard(PreflightResult result, bool guards = true)
    {
        var check = Substitute.For<IRunnerPreflightCheck>();
        check.GuardsRefresh.Returns(guards);
        check.CheckAsync(default!, default).ReturnsForAnyArgs(new ValueTask<IReadOnlyList<PreflightResult>>([result]));
        return check;
    }
}
