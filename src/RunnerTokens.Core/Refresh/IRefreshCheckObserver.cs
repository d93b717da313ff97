namespace RunnerTokens;

/// <summary>
/// Told by the daemon when a check of every runner has ended, for what summarises checks rather than runners (the
/// host's <c>STATUS=</c> line to systemd, say). An observer that throws is logged and never stops the daemon.
/// </summary>
public interface IRefreshCheckObserver
{
    /// <summary>Called after each check of the daemon, with one result per runner.</summary>
    /// <param name="results">What the check did, one result per runner, in the configured order.</param>
    /// <param name="completedAt">When the check ended (the injected <see cref="TimeProvider"/>'s time).</param>
    /// <param name="cancellationToken">Cancelled when the daemon stops.</param>
    /// <returns>A task that completes when the observer is done.</returns>
    ValueTask OnCheckCompletedAsync(IReadOnlyList<RunnerRefreshResult> results, DateTimeOffset completedAt, CancellationToken cancellationToken);
}
