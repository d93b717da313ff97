using RunnerTokens.Shared;
using Microsoft.Extensions.Logging;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace RunnerTokens.Tests.Refresh;

/// <summary>
/// Issue 10, point 2: the engine retries only what trying again can help, says why it stopped, and tells what it calls
/// which attempt is running, so HTTP retries and engine attempts share one visible budget.
/// </summary>
public sealed class RefreshEngineFailureKindTests : IDisposable
{
    private readonly EngineFixture _fixture = new();

    public RefreshEngineFailureKindTests()
    {
        _fixture.Configure = o => o.MaxRetryAttempts = 3;
        _fixture.SourceSays(ExpiryObservation.Expires("cache", _fixture.Time.GetUtcNow().AddSeconds(-1)));
    }

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task RunOnceAsync_PermanentReconfigurationFailure_IsNotRetriedAndSaysWhy()
    {
        _fixture.Reconfigurer.ReconfigureAsync(default!, default!, default!, default).ThrowsAsyncForAnyArgs(
            new RunnerReconfigurationException("config.sh: Could not find any self-hosted runner group named \"gpu\".", RefreshFailureKind.Permanent));

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.Failed, Assert.Single(results).Outcome);
        await _fixture.Issuer.ReceivedWithAnyArgs(1).CreateRegistrationTokenAsync(default!, default);
        await _fixture.Reconfigurer.ReceivedWithAnyArgs(1).ReconfigureAsync(default!, default!, default!, default);
        var failed = Assert.Single(_fixture.Logs.GetSnapshot(), r => r.Level == LogLevel.Error && r.Message.Contains("refresh failed", StringComparison.Ordinal));
        Assert.Contains("after 1 of 3 attempt(s), a permanent failure, not retried", failed.Message, StringComparison.Ordinal);
        Assert.Contains("runner group named \"gpu\"", failed.Message, StringComparison.Ordinal);
        await _fixture.Sink.Received(1).RecordRefreshFailedAsync(Arg.Any<RunnerContext>(), Arg.Any<DateTimeOffset>(), 1, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task RunOnceAsync_PermanentTokenFailure_IsNotRetried()
    {
        _fixture.Issuer.CreateRegistrationTokenAsync(default!, default).ThrowsAsyncForAnyArgs(
            new RunnerRefreshException("GitHub rejected the token (401)", RefreshFailureKind.Permanent));

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.Failed, Assert.Single(results).Outcome);
        await _fixture.Issuer.ReceivedWithAnyArgs(1).CreateRegistrationTokenAsync(default!, default);
        await _fixture.Reconfigurer.DidNotReceiveWithAnyArgs().ReconfigureAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task RunOnceAsync_TransientFailure_IsRetriedUntilNoAttemptsAreLeft()
    {
        _fixture.Reconfigurer.ReconfigureAsync(default!, default!, default!, default).ThrowsAsyncForAnyArgs(
            new RunnerReconfigurationException("the listener did not log \"Listening for Jobs\"", RefreshFailureKind.Transient));

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.Failed, Assert.Single(results).Outcome);
        await _fixture.Reconfigurer.ReceivedWithAnyArgs(3).ReconfigureAsync(default!, default!, default!, default);
        Assert.Contains(_fixture.Logs.GetSnapshot(), r => r.Level == LogLevel.Error && r.Message.Contains("after 3 of 3 attempt(s), no attempts left", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunOnceAsync_AnUnclassifiedIOException_CountsAsTransient()
    {
        _fixture.Reconfigurer.ReconfigureAsync(default!, default!, default!, default).ReturnsForAnyArgs(
            _ => throw new IOException("disk busy"),
            _ => Task.CompletedTask);

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.Refreshed, Assert.Single(results).Outcome);
        await _fixture.Reconfigurer.ReceivedWithAnyArgs(2).ReconfigureAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task RunOnceAsync_TransientFailureWithARetryTimeBeyondTheBackoff_WaitsForTheNextCheckInstead()
    {
        var until = _fixture.Time.GetUtcNow().AddMinutes(40);
        _fixture.Issuer.CreateRegistrationTokenAsync(default!, default).ThrowsAsyncForAnyArgs(
            new RunnerRefreshException("GitHub's API rate limit is used up", RefreshFailureKind.Transient, retryAfter: until));

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.Failed, Assert.Single(results).Outcome);
        await _fixture.Issuer.ReceivedWithAnyArgs(1).CreateRegistrationTokenAsync(default!, default);
        Assert.Contains(_fixture.Logs.GetSnapshot(), r => r.Level == LogLevel.Error
            && r.Message.Contains($"not retried before {LogText.Time(until)}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunOnceAsync_WhatAnAttemptCalls_SeesWhichAttemptItIsAndOneSharedRetryBudget()
    {
        var seen = new List<string>();
        var taken = new List<bool>();
        _fixture.Issuer.CreateRegistrationTokenAsync(default!, default).ReturnsForAnyArgs(call =>
        {
            var attempt = Assert.IsType<RefreshAttempt>(RefreshAttempt.Current);
            seen.Add($"{attempt.RunnerName}: {attempt}");

            // Two retries in all for the refresh: the first attempt takes both, the later ones find none.
            taken.Add(attempt.TryTakeRetry("GitHub", 2));
            taken.Add(attempt.TryTakeRetry("GitHub", 2));
            return Task.FromResult(new RegistrationToken(EngineFixture.Secret, _fixture.Time.GetUtcNow().AddHours(1)));
        });
        _fixture.Reconfigurer.ReconfigureAsync(default!, default!, default!, default).ThrowsAsyncForAnyArgs(
            new RunnerReconfigurationException("listener did not come up"));

        await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(["runner-1: refresh attempt 1 of 3", "runner-1: refresh attempt 2 of 3", "runner-1: refresh attempt 3 of 3"], seen);
        Assert.Equal([true, true, false, false, false, false], taken);
        Assert.Null(RefreshAttempt.Current);
    }

    [Fact]
    public async Task RunOnceAsync_BusyProbeFailsPermanently_IsNotRetriedAndStopsNothing()
    {
        var probe = Substitute.For<IRunnerBusyProbe>();
        probe.GetBusyStateAsync(default!, default).ThrowsAsyncForAnyArgs(
            new RunnerRefreshException("No GitHub credential found", RefreshFailureKind.Permanent));
        _fixture.BusyProbes.Add(probe);

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(RefreshOutcome.Failed, Assert.Single(results).Outcome);
        Assert.Contains("No GitHub credential found", results[0].Reason, StringComparison.Ordinal);
        await probe.ReceivedWithAnyArgs(1).GetBusyStateAsync(default!, default);
        await _fixture.Issuer.DidNotReceiveWithAnyArgs().CreateRegistrationTokenAsync(default!, default);
        await _fixture.Reconfigurer.DidNotReceiveWithAnyArgs().ReconfigureAsync(default!, default!, default!, default);
    }

    [Fact]
    public void KindOf_ClassifiesByTypeAndDefaultsToTransient()
    {
        Assert.Equal(RefreshFailureKind.Permanent, RunnerRefreshException.KindOf(new RunnerReconfigurationException("x", RefreshFailureKind.Permanent)));
        Assert.Equal(RefreshFailureKind.Transient, RunnerRefreshException.KindOf(new RunnerReconfigurationException("x")));
        Assert.Equal(RefreshFailureKind.Permanent, RunnerRefreshException.KindOf(new InvalidOperationException("no ITokenIssuer")));
        Assert.Equal(RefreshFailureKind.Permanent, RunnerRefreshException.KindOf(new UnauthorizedAccessException("denied")));
        Assert.Equal(RefreshFailureKind.Transient, RunnerRefreshException.KindOf(new TimeoutException("slow")));
    }
}
