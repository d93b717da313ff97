using System.Diagnostics;
using NSubstitute.ExceptionExtensions;
using RunnerTokens.TestKit.Telemetry;
using RunnerTokens.Tests.Refresh;

namespace RunnerTokens.Tests.Metrics;

/// <summary>The span per refresh an OpenTelemetry user sees from AddSource(RunnerTokenRefreshTelemetry.ActivitySourceName).</summary>
public sealed class RefreshTracingTests : IDisposable
{
    private readonly EngineFixture _fixture = new();

    public RefreshTracingTests()
    {
        _fixture.Configure = o => o.MaxRetryAttempts = 1;
        _fixture.SourceSays(ExpiryObservation.Expires("cache", _fixture.Time.GetUtcNow().AddSeconds(-1)));
    }

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task RunOnce_ARefresh_OneSpanTaggedWithTheRunnerAndItsOutcome()
    {
        using var recorder = new ActivityRecorder();

        await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        var span = Assert.Single(recorder.Stopped);
        Assert.Equal(RunnerTokenRefreshTelemetry.RefreshActivity, span.OperationName);
        Assert.Equal("runner-1", span.GetTagItem(RunnerTokenRefreshTelemetry.RunnerNameTag));
        Assert.Equal("acme", span.GetTagItem(RunnerTokenRefreshTelemetry.RunnerScopeTag));
        Assert.Equal("Refreshed", span.GetTagItem(RunnerTokenRefreshTelemetry.OutcomeTag));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
    }

    [Fact]
    public async Task RunOnce_AFailedRefresh_SpanInErrorWithTheReasonAndNoToken()
    {
        _fixture.Reconfigurer.ReconfigureAsync(default!, default!, default!, default).ThrowsAsyncForAnyArgs(
            new RunnerReconfigurationException("config.sh exited with code 1"));
        using var recorder = new ActivityRecorder();

        await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        var span = Assert.Single(recorder.Stopped);
        Assert.Equal("Failed", span.GetTagItem(RunnerTokenRefreshTelemetry.OutcomeTag));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Contains("config.sh exited with code 1", span.StatusDescription, StringComparison.Ordinal);
        Assert.DoesNotContain(EngineFixture.Secret, span.StatusDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunOnce_NothingDue_NoSpan()
    {
        _fixture.SourceSays(ExpiryObservation.Expires("cache", _fixture.Time.GetUtcNow().AddDays(1)));
        using var recorder = new ActivityRecorder();

        await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Empty(recorder.Stopped);
    }
}
