using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NSubstitute;
using RunnerTokens.Refresh;
using RunnerTokens.TestKit;

namespace RunnerTokens.Tests.Refresh;

public sealed class RunnerTokenRefreshServiceTests : IDisposable
{
    private readonly EngineFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task Daemon_ChecksAtStartThenEveryCheckInterval()
    {
        _fixture.Configure = o => o.CheckInterval = TimeSpan.FromSeconds(60);
        _fixture.SourceSays(ExpiryObservation.ValidNoExpiry("github"));
        var service = CreateDaemon();

        await service.StartAsync(CancellationToken.None);
        await WaitForObservations(1);

        // The clock moves only once the daemon waits on it: the rest of the check (writing its files) may still run
        // after the observation, and a wait begun after the move would start from the moved time.
        await WaitForWaits(1);
        _fixture.Time.Advance(TimeSpan.FromSeconds(59));
        await Task.Delay(50);
        Assert.Single(_fixture.Source.ReceivedCalls());

        _fixture.Time.Advance(TimeSpan.FromSeconds(1));
        await WaitForObservations(2);
        await WaitForWaits(2);
        _fixture.Time.Advance(TimeSpan.FromSeconds(60));
        await WaitForObservations(3);
        await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Daemon_CycleThrows_LogsErrorAndKeepsChecking()
    {
        var refresher = Substitute.For<IRunnerTokenRefresher>();
        var calls = 0;
        refresher.RunOnceAsync(default).ReturnsForAnyArgs(_ => ++calls == 1
            ? throw new InvalidOperationException("cycle exploded")
            : Task.FromResult<IReadOnlyList<RunnerRefreshResult>>([]));
        var logger = new Microsoft.Extensions.Logging.Testing.FakeLogger<RunnerTokenRefreshService>();
        var options = Monitor(new RunnerTokenRefreshOptions());
        using var service = new RunnerTokenRefreshService(refresher, options, _fixture.Time, logger);

        await service.StartAsync(CancellationToken.None);
        await Poll.UntilAsync(() => calls >= 1);

        // The loop may not wait on the clock yet when the first call returns: advance until the next cycle runs, one
        // interval at a time, so a busy machine cannot make the advance come before the wait.
        for (var i = 0; i < 500 && calls < 2; i++)
        {
            _fixture.Time.Advance(TimeSpan.FromSeconds(60));
            await Task.Delay(10);
        }

        await service.StopAsync(CancellationToken.None);

        Assert.Equal(2, calls);
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Error && r.Message.Contains("cycle exploded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Daemon_StopDuringWait_EndsPromptly()
    {
        _fixture.SourceSays(ExpiryObservation.ValidNoExpiry("github"));
        var service = CreateDaemon();
        await service.StartAsync(CancellationToken.None);
        await WaitForObservations(1);

        await service.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.True(service.ExecuteTask!.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Daemon_StopDuringRefresh_CancelsTheRefresh()
    {
        _fixture.SourceSays(ExpiryObservation.Expires("cache", _fixture.Time.GetUtcNow().AddSeconds(-1)));
        var entered = new TaskCompletionSource();
        CancellationToken seen = default;
        _fixture.Reconfigurer.ReconfigureAsync(default!, default!, default!, default).ReturnsForAnyArgs(async call =>
        {
            seen = call.Arg<CancellationToken>();
            entered.SetResult();
            await Task.Delay(Timeout.Infinite, seen);
        });
        var service = CreateDaemon();
        await service.StartAsync(CancellationToken.None);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(5));

        await service.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.True(seen.IsCancellationRequested);
        Assert.True(service.ExecuteTask!.IsCompletedSuccessfully);
        await _fixture.Sink.DidNotReceiveWithAnyArgs().RecordRefreshFailedAsync(default!, default, default, default);
    }

    [Fact]
    public async Task RunIterationAsync_AfterCheck_TellsEachObserverTheResultsAndTime()
    {
        IReadOnlyList<RunnerRefreshResult> results = [new("build-01", RefreshOutcome.Refreshed, "expired")];
        var refresher = Substitute.For<IRunnerTokenRefresher>();
        refresher.RunOnceAsync(default).ReturnsForAnyArgs(results);
        var observer = Substitute.For<IRefreshCheckObserver>();
        var failing = Substitute.For<IRefreshCheckObserver>();
        failing.OnCheckCompletedAsync(default!, default, default).ReturnsForAnyArgs<ValueTask>(_ => throw new InvalidOperationException("observer exploded"));
        var logger = new Microsoft.Extensions.Logging.Testing.FakeLogger<RunnerTokenRefreshService>();
        using var service = new RunnerTokenRefreshService(
            refresher, Monitor(new RunnerTokenRefreshOptions()), _fixture.Time, logger, [failing, observer]);

        await service.RunIterationAsync(CancellationToken.None);

        await observer.Received(1).OnCheckCompletedAsync(results, _fixture.Time.GetUtcNow(), Arg.Any<CancellationToken>());
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("observer exploded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunOnceAsync_LogsOfOneRunner_CarryItsNameInARunnerScope()
    {
        _fixture.SourceSays(ExpiryObservation.ValidNoExpiry("github"));
        _fixture.CreateSut();

        await _fixture.Provider.GetRequiredService<IRunnerTokenRefresher>().RunOnceAsync(CancellationToken.None);

        var decision = Assert.Single(_fixture.Logs.GetSnapshot(), r => r.Id.Id == 100);
        var scope = Assert.Single(decision.Scopes.OfType<IEnumerable<KeyValuePair<string, object?>>>());
        var runner = decision.GetStructuredStateValue("Runner");
        Assert.NotNull(runner);
        Assert.Contains(new KeyValuePair<string, object?>("Runner", runner), scope);
    }

    private BackgroundService CreateDaemon()
    {
        _fixture.CreateSut();
        return Assert.IsAssignableFrom<BackgroundService>(Assert.Single(_fixture.Provider.GetServices<IHostedService>()));
    }

    private async Task WaitForWaits(int count)
    {
        await Poll.UntilAsync(() => _fixture.Time.TimersCreated >= count);
        Assert.Equal(count, _fixture.Time.TimersCreated);
    }

    private async Task WaitForObservations(int count)
    {
        await Poll.UntilAsync(() => _fixture.Source.ReceivedCalls().Count() >= count);
        Assert.Equal(count, _fixture.Source.ReceivedCalls().Count());
    }

    private static Microsoft.Extensions.Options.IOptionsMonitor<RunnerTokenRefreshOptions> Monitor(RunnerTokenRefreshOptions options)
    {
        var monitor = Substitute.For<Microsoft.Extensions.Options.IOptionsMonitor<RunnerTokenRefreshOptions>>();
        monitor.CurrentValue.Returns(options);
        return monitor;
    }
}
