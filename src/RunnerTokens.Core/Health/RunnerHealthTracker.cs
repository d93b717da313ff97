using System.Collections.Concurrent;
using RunnerTokens.Metrics;

namespace RunnerTokens;

/// <summary>
/// What the in-memory health check judges: each runner's last check, last refresh and consecutive failures, as the
/// engine reports them to its metrics sinks. Kept per runner name, so one daemon's runners never share an entry.
/// </summary>
internal sealed class RunnerHealthTracker : IMetricsSink, IRunnerCheckSink
{
    private readonly ConcurrentDictionary<string, RunnerHealthEntry> _runners = new(StringComparer.Ordinal);
    private readonly RemovedRunners _removed = new();
    private volatile IReadOnlyList<RunnerContext>? _checking;

    /// <summary>Each runner checked so far, by name, less those the engine no longer checks.</summary>
    public IReadOnlyDictionary<string, RunnerHealthEntry> Runners => _runners;

    /// <summary>How many runners the engine checked at its last check; null before the first check ended.</summary>
    public int? Checking => _checking?.Count;

    public void RecordCheckFacts(RunnerContext runner, RunnerCheckFacts facts)
    {
    }

    /// <summary>A runner a reload removed is no longer judged (its last check would only grow stale).</summary>
    public ValueTask CompleteCheckAsync(IReadOnlyList<RunnerContext> runners, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runners);
        _removed.Forget(_runners, runners);
        _checking = runners;
        return ValueTask.CompletedTask;
    }

    public ValueTask RecordCheckAsync(RunnerContext runner, DateTimeOffset checkedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        _runners.AddOrUpdate(
            runner.Name,
            static (_, at) => new RunnerHealthEntry(at, null, 0),
            static (_, entry, at) => entry with { LastCheck = at },
            checkedAt);
        return ValueTask.CompletedTask;
    }

    public ValueTask RecordRefreshSucceededAsync(RunnerContext runner, DateTimeOffset refreshedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        _runners.AddOrUpdate(
            runner.Name,
            static (_, at) => new RunnerHealthEntry(null, at, 0),
            static (_, entry, at) => entry with { LastRefresh = at, ConsecutiveFailures = 0 },
            refreshedAt);
        return ValueTask.CompletedTask;
    }

    public ValueTask RecordRefreshFailedAsync(RunnerContext runner, DateTimeOffset failedAt, int consecutiveFailures, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        _runners.AddOrUpdate(
            runner.Name,
            static (_, failures) => new RunnerHealthEntry(null, null, failures),
            static (_, entry, failures) => entry with { ConsecutiveFailures = failures },
            consecutiveFailures);
        return ValueTask.CompletedTask;
    }
}

/// <summary>One runner's last check and refresh, and how many refreshes in a row have failed.</summary>
internal sealed record RunnerHealthEntry(DateTimeOffset? LastCheck, DateTimeOffset? LastRefresh, int ConsecutiveFailures);
