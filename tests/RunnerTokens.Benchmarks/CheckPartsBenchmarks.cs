using System.IO.Abstractions;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using RunnerTokens.Expiry;
using RunnerTokens.Metrics;
using RunnerTokens.Refresh;
using RunnerTokens.Shared;
using RunnerTokens.State;
using RunnerTokens.TestKit;

namespace RunnerTokens.Benchmarks;

/// <summary>
/// The parts of one runner's check: reading its files, the decision, the two kinds of metrics write, and the two ways a
/// time stamp alone replaces a file (a temporary file and a rename; the file's spare and an exchange).
/// </summary>
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
    private FileSystem _fileSystem = null!;
    private WrittenFiles<object> _spareWrites = null!;
    private string _spareWritten = null!;
    private string _temporaryWritten = null!;
    private byte[][] _stamps = null!;
    private int _write;

    [GlobalSetup]
    public void Setup()
    {
        _temp = new TempDirectory("bench");
        var fileSystem = _fileSystem = new FileSystem();
        var store = new RunnerStateStore(fileSystem);
        BenchmarkRunners.Create(_temp, 0);
        _runner = BenchmarkRunners.Context(_temp, 0, _temp.Combine("metrics-bench.json"));
        store.Write(_runner, new RunnerState { RegistrationTokenExpiresAt = DateTimeOffset.UtcNow.AddDays(365) });
        _source = new RunnerFilesExpirySource(fileSystem, store);
        _sink = new JsonFileMetricsSink(fileSystem, NullLogger<JsonFileMetricsSink>.Instance);
        _observations = [ExpiryObservation.Expires("runner-files", DateTimeOffset.UtcNow.AddHours(1)), ExpiryObservation.ValidNoExpiry("github")];
        _checkedAt = DateTimeOffset.UtcNow;

        // Resting time zero: each write reuses the spare the one before swapped out, as a daemon's checks a minute apart do.
        _spareWrites = new WrittenFiles<object>(fileSystem, TimeSpan.Zero);
        _spareWritten = _temp.Combine("by-spare.json");
        _temporaryWritten = _temp.Combine("by-temporary-file.json");
        _stamps = [.. Enumerable.Range(0, 2).Select(i => System.Text.Encoding.UTF8.GetBytes($"{{ \"last_check_timestamp\": 179560800{i} }}"))];
        _spareWrites.Write(_spareWritten, _stamps[0], AtomicFile.WorldReadable, durable: true, _stamps);
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
    /// A check's metrics write, one time-stamp slot later than the last (a check in the same slot writes nothing): update
    /// the time stamp, temporary file, rename (no fsync).
    /// </summary>
    [Benchmark]
    public ValueTask RecordCheck()
    {
        _checkedAt = _checkedAt.AddSeconds(JsonFileMetricsSink.CheckTimestampSlot);
        return _sink.RecordCheckAsync(_runner, _checkedAt, CancellationToken.None);
    }

    /// <summary>A metrics write that changes a counter (a failed refresh): read, update, temporary file, fsync, rename.</summary>
    [Benchmark]
    public ValueTask RecordCounter() => _sink.RecordRefreshFailedAsync(_runner, _checkedAt, ++_failures, CancellationToken.None);

    /// <summary>A time stamp alone through the file's spare: write it in place, exchange it with the file (renameat2).</summary>
    [Benchmark]
    public void WriteBySpare() =>
        _spareWrites.Write(_spareWritten, _stamps[++_write % 2], AtomicFile.WorldReadable, durable: false, _stamps);

    /// <summary>The same the usual way: a new temporary file, renamed over the file.</summary>
    [Benchmark]
    public void WriteByTemporaryFile() =>
        AtomicFile.Write(_fileSystem, _temporaryWritten, _stamps[++_write % 2], AtomicFile.WorldReadable, durable: false);
}
