using System.IO.Abstractions;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using RunnerTokens.Expiry;
using RunnerTokens.Metrics;
using RunnerTokens.Refresh;
using RunnerTokens.State;
using RunnerTokens.TestKit;

namespace RunnerTokens.Benchmarks;

/// <summary>The parts of one runner's check: reading its files, the decision, and the two kinds of metrics write.</summary>
[MemoryDiagnoser]
public class CheckPartsBenchmarks
{
    private TempDirectory _temp = null!;
    private RunnerContext _runner = null!;
    private RunnerFilesExpirySource _source = null!;
    private JsonFileMetricsSink _sink = null!;
    private ExpiryObservation[] _observations = null!;
    private DateTimeOffset _checkedAt;
    private int _failures;

    [GlobalSetup]
    public void Setup()
    {
        _temp = new TempDirectory("bench");
        var fileSystem = new FileSystem();
        var store = new RunnerStateStore(fileSystem);
        BenchmarkRunners.Create(_temp, 0);
        _runner = BenchmarkRunners.Context(_temp, 0, _temp.Combine("metrics-bench.json"));
        store.Write(_runner, new RunnerState { RegistrationTokenExpiresAt = DateTimeOffset.UtcNow.AddDays(365) });
        _source = new RunnerFilesExpirySource(fileSystem, store);
        _sink = new JsonFileMetricsSink(fileSystem, NullLogger<JsonFileMetricsSink>.Instance);
        _observations = [ExpiryObservation.Expires("runner-files", DateTimeOffset.UtcNow.AddHours(1)), ExpiryObservation.ValidNoExpiry("github")];
        _checkedAt = DateTimeOffset.UtcNow;
    }

    [GlobalCleanup]
    public void Cleanup() => _temp.Dispose();

    /// <summary>Reading .runner, .credentials and the state file of one runner.</summary>
    [Benchmark]
    public ValueTask<ExpiryObservation> ObserveRunnerFiles() => _source.ObserveAsync(_runner, CancellationToken.None);

    /// <summary>The decision alone.</summary>
    [Benchmark]
    public bool Decide() => RefreshDecider.Decide(_observations, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5), RefreshPolicy.Expiry).Refresh;

    /// <summary>
    /// A check's metrics write, one time-stamp step later than the last (an earlier check writes nothing): update the
    /// time stamp, temporary file, rename (no fsync).
    /// </summary>
    [Benchmark]
    public ValueTask RecordCheck()
    {
        _checkedAt = _checkedAt.AddSeconds(JsonFileMetricsSink.CheckTimestampStep);
        return _sink.RecordCheckAsync(_runner, _checkedAt, CancellationToken.None);
    }

    /// <summary>A metrics write that changes a counter (a failed refresh): read, update, temporary file, fsync, rename.</summary>
    [Benchmark]
    public ValueTask RecordCounter() => _sink.RecordRefreshFailedAsync(_runner, _checkedAt, ++_failures, CancellationToken.None);
}
