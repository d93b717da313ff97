namespace RunnerTokens.Host.Tests;

/// <summary>The daemon's first-generation budget, kept after each check (<see cref="DaemonHeapBudget"/>).</summary>
public sealed class DaemonHeapBudgetTests
{
    [Fact]
    public void BudgetSpent_CollectsTheFirstGeneration_ThenNotUntilSpentAgain()
    {
        var budget = new DaemonHeapBudget();
        var before = GC.CollectionCount(0);

        // A collection the GC makes on its own (other tests allocate too) starts the count again: allocate on until one
        // check spends the whole budget without one.
        var collected = false;
        for (var i = 0; i < 100 && !collected; i++)
        {
            Allocate(DaemonHeapBudget.Budget / 2);
            collected = budget.Trim();
        }

        Assert.True(collected);
        Assert.True(GC.CollectionCount(0) > before);
        Assert.False(budget.Trim());
    }

    [Fact]
    public async Task LittleAllocated_NoCollection()
    {
        var budget = new DaemonHeapBudget();

        Assert.False(budget.Trim());
        await budget.OnCheckCompletedAsync([], DateTimeOffset.UnixEpoch, CancellationToken.None);
        Assert.False(budget.Trim());
    }

    private static void Allocate(long bytes)
    {
        for (long done = 0; done < bytes; done += 1024)
        {
            GC.KeepAlive(new byte[1000]);
        }
    }
}
