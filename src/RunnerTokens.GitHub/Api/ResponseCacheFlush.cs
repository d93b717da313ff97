namespace RunnerTokens.GitHub;

/// <summary>Writes GitHub's answers that the daemon's check stored (<see cref="ResponseCacheStore"/>) once the check has ended: one write of the shared file per check, not one per answer.</summary>
internal sealed class ResponseCacheFlush(ResponseCacheStore store) : IRefreshCheckObserver
{
    public ValueTask OnCheckCompletedAsync(IReadOnlyList<RunnerRefreshResult> results, DateTimeOffset completedAt, CancellationToken cancellationToken)
    {
        store.Flush();
        return ValueTask.CompletedTask;
    }
}
