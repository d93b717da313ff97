namespace RunnerTokens.Host;

/// <summary>
/// The daemon's first-generation budget (issue 11, goal 3), kept after each check rather than by the GC's own knob: a
/// collection once 2 MiB were allocated since the last one. The binary's <c>GCgen0size</c> is 4 MiB so that a one-shot
/// check (about 2.3 MiB, most of it the container's start) ends before its first collection; the daemon, which
/// allocates little per check and then sleeps, would otherwise fill those 4 MiB only after hundreds of checks and its
/// RSS climb all that time. A collection the GC made on its own (a large check of many runners) starts the count again.
/// </summary>
internal sealed class DaemonHeapBudget : IRefreshCheckObserver
{
    /// <summary>What the daemon may allocate between two collections: the budget the binary carried before.</summary>
    internal const long Budget = 2 * 1024 * 1024;

    private int _collections = GC.CollectionCount(0);
    private long _allocatedAtCollection = GC.GetTotalAllocatedBytes();

    public ValueTask OnCheckCompletedAsync(IReadOnlyList<RunnerRefreshResult> results, DateTimeOffset completedAt, CancellationToken cancellationToken)
    {
        Trim();
        return ValueTask.CompletedTask;
    }

    /// <summary>Collects the first generation when the budget is spent; returns whether it did.</summary>
    internal bool Trim()
    {
        var allocated = GC.GetTotalAllocatedBytes();
        var collections = GC.CollectionCount(0);
        if (collections != _collections)
        {
            _collections = collections;
            _allocatedAtCollection = allocated;
            return false;
        }

        if (allocated - _allocatedAtCollection < Budget)
        {
            return false;
        }

        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        _collections = GC.CollectionCount(0);
        _allocatedAtCollection = GC.GetTotalAllocatedBytes();
        return true;
    }
}
