namespace RunnerTokens;

/// <summary>Records what the engine did for each runner. A sink that throws is logged and never fails a refresh.</summary>
public interface IMetricsSink
{
    /// <summary>Records that <paramref name="runner"/> was checked.</summary>
    /// <param name="runner">The runner.</param>
    /// <param name="checkedAt">When.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the check is recorded.</returns>
    ValueTask RecordCheckAsync(RunnerContext runner, DateTimeOffset checkedAt, CancellationToken cancellationToken);

    /// <summary>Records that <paramref name="runner"/> was re-registered.</summary>
    /// <param name="runner">The runner.</param>
    /// <param name="refreshedAt">When.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the refresh is recorded.</returns>
    ValueTask RecordRefreshSucceededAsync(RunnerContext runner, DateTimeOffset refreshedAt, CancellationToken cancellationToken);

    /// <summary>Records that re-registering <paramref name="runner"/> failed after every attempt.</summary>
    /// <param name="runner">The runner.</param>
    /// <param name="failedAt">When.</param>
    /// <param name="consecutiveFailures">How many refreshes in a row have failed, this one included.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the failure is recorded.</returns>
    ValueTask RecordRefreshFailedAsync(RunnerContext runner, DateTimeOffset failedAt, int consecutiveFailures, CancellationToken cancellationToken);
}
