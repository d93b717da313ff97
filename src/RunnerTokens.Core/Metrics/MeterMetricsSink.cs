using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace RunnerTokens.Metrics;

/// <summary>
/// Publishes checks, refreshes and failures as <see cref="System.Diagnostics.Metrics"/> instruments of the meter
/// <c>RunnerTokens</c>, tagged with the runner, for OpenTelemetry, <c>dotnet-counters</c> or any listener.
/// Costs nearly nothing when nobody listens.
/// </summary>
internal sealed class MeterMetricsSink : IMetricsSink, IRunnerCheckSink, IDisposable
{
    public const string MeterName = RunnerTokenRefreshTelemetry.MeterName;

    private readonly Meter _meter;
    private readonly Counter<long> _checks;
    private readonly Counter<long> _refreshes;
    private readonly Counter<long> _failures;
    private readonly ConcurrentDictionary<string, (RunnerContext Runner, int Failures)> _consecutive = new(StringComparer.Ordinal);
    private readonly RemovedRunners _removed = new();

    public MeterMetricsSink(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _checks = _meter.CreateCounter<long>(RunnerTokenRefreshTelemetry.ChecksInstrument, unit: "{check}", description: "Checks of a runner's registration.");
        _refreshes = _meter.CreateCounter<long>(RunnerTokenRefreshTelemetry.RefreshesInstrument, unit: "{refresh}", description: "Successful re-registrations.");
        _failures = _meter.CreateCounter<long>(RunnerTokenRefreshTelemetry.FailuresInstrument, unit: "{refresh}", description: "Refreshes that failed after every attempt.");
        _meter.CreateObservableGauge(
            RunnerTokenRefreshTelemetry.ConsecutiveFailuresInstrument,
            () => _consecutive.Values.Select(v => new Measurement<int>(v.Failures, Tags(v.Runner))),
            unit: "{refresh}",
            description: "Refreshes failed in a row; 3 or more is critical.");
    }

    public ValueTask RecordCheckAsync(RunnerContext runner, DateTimeOffset checkedAt, CancellationToken cancellationToken)
    {
        _checks.Add(1, Tags(runner));
        return ValueTask.CompletedTask;
    }

    public ValueTask RecordRefreshSucceededAsync(RunnerContext runner, DateTimeOffset refreshedAt, CancellationToken cancellationToken)
    {
        _refreshes.Add(1, Tags(runner));
        _consecutive[runner.Name] = (runner, 0);
        return ValueTask.CompletedTask;
    }

    public ValueTask RecordRefreshFailedAsync(RunnerContext runner, DateTimeOffset failedAt, int consecutiveFailures, CancellationToken cancellationToken)
    {
        _failures.Add(1, Tags(runner));
        _consecutive[runner.Name] = (runner, consecutiveFailures);
        return ValueTask.CompletedTask;
    }

    public void RecordCheckFacts(RunnerContext runner, RunnerCheckFacts facts)
    {
    }

    /// <summary>A runner a reload removed no longer reports its consecutive failures.</summary>
    public ValueTask CompleteCheckAsync(IReadOnlyList<RunnerContext> runners, CancellationToken cancellationToken)
    {
        _removed.Forget(_consecutive, runners);
        return ValueTask.CompletedTask;
    }

    public void Dispose() => _meter.Dispose();

    private static TagList Tags(RunnerContext runner) => new()
    {
        { RunnerTokenRefreshTelemetry.RunnerNameTag, runner.Name },
        { RunnerTokenRefreshTelemetry.RunnerScopeTag, runner.Scope.DisplayName },
    };
}
