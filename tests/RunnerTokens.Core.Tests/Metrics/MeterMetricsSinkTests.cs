using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using RunnerTokens.Metrics;

namespace RunnerTokens.Tests.Metrics;

public sealed class MeterMetricsSinkTests
{
    private static readonly RunnerContext _runner = new("runner-1", "/opt/actions-runner", "https://github.com/acme/widgets", "/tmp/state");

    [Fact]
    public async Task Records_AreCountedPerRunner()
    {
        using var meters = new ScopedMeterFactory();
        using var sut = new MeterMetricsSink(meters);
        using var checks = new MetricCollector<long>(meters, MeterMetricsSink.MeterName, "runnertokens.checks");
        using var refreshes = new MetricCollector<long>(meters, MeterMetricsSink.MeterName, "runnertokens.refreshes");
        using var failures = new MetricCollector<long>(meters, MeterMetricsSink.MeterName, "runnertokens.refresh.failures");

        await sut.RecordCheckAsync(_runner, DateTimeOffset.UnixEpoch, CancellationToken.None);
        await sut.RecordCheckAsync(_runner, DateTimeOffset.UnixEpoch, CancellationToken.None);
        await sut.RecordRefreshFailedAsync(_runner, DateTimeOffset.UnixEpoch, 1, CancellationToken.None);
        await sut.RecordRefreshSucceededAsync(_runner, DateTimeOffset.UnixEpoch, CancellationToken.None);

        Assert.Equal(2, checks.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(1, refreshes.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(1, failures.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal("runner-1", checks.LastMeasurement!.Tags["runner.name"]);
        Assert.Equal("acme/widgets", checks.LastMeasurement.Tags["runner.scope"]);
    }

    [Fact]
    public async Task ConsecutiveFailures_IsObservedAndResetBySuccess()
    {
        using var meters = new ScopedMeterFactory();
        using var sut = new MeterMetricsSink(meters);
        using var gauge = new MetricCollector<int>(meters, MeterMetricsSink.MeterName, "runnertokens.refresh.consecutive_failures");

        await sut.RecordRefreshFailedAsync(_runner, DateTimeOffset.UnixEpoch, 3, CancellationToken.None);
        gauge.RecordObservableInstruments();
        Assert.Equal(3, gauge.LastMeasurement!.Value);

        await sut.RecordRefreshSucceededAsync(_runner, DateTimeOffset.UnixEpoch, CancellationToken.None);
        gauge.RecordObservableInstruments();
        Assert.Equal(0, gauge.LastMeasurement!.Value);
    }
}
