using System.Collections.Concurrent;

namespace RunnerTokens;

/// <summary>
/// What the in-memory health check judges: each runner's last check, last refresh and consecutive failures, as the
/// engine reports them to its metrics sinks. Kept per runner name, so one daemon's runners never share an entry.
/// </summary>
internal sealed class RunnerHealthTracker : IMetricsSink
{
    private readonly ConcurrentDictionary<string, RunnerHealthEntry> _runners = new(StringComparer.Ordinal);

    /// <summary>Each runner checked so far, by name.</summary>
    public IReadOnlyDictionary<string, RunnerHealthEntry> Runners => _runners;

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
