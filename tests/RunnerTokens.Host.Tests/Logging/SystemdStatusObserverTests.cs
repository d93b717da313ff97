using RunnerTokens.Host.Logging;

namespace RunnerTokens.Host.Tests.Logging;

public sealed class SystemdStatusObserverTests
{
    [Fact]
    public void Summary_CountsOutcomesAndSaysWhenTheNextCheckRuns()
    {
        IReadOnlyList<RunnerRefreshResult> results =
        [
            new("a", RefreshOutcome.NotNeeded, "valid"),
            new("b", RefreshOutcome.NotNeeded, "valid"),
            new("c", RefreshOutcome.Refreshed, "expired"),
        ];

        var summary = SystemdStatusObserver.Summary(results, new DateTimeOffset(2026, 11, 26, 15, 4, 5, 999, TimeSpan.Zero), TimeSpan.FromSeconds(60));

        Assert.Equal("last check 15:04:05Z: 2 runners ok, 1 refreshed, 0 failed; next in 1 min", summary);
    }

    [Fact]
    public void Summary_PostponedAndFailed_NamesThem()
    {
        IReadOnlyList<RunnerRefreshResult> results =
        [
            new("a", RefreshOutcome.Postponed, "busy"),
            new("b", RefreshOutcome.Failed, "config.sh exited 1"),
        ];

        var summary = SystemdStatusObserver.Summary(results, new DateTimeOffset(2026, 11, 26, 15, 4, 5, TimeSpan.Zero), TimeSpan.FromMinutes(5));

        Assert.Equal("last check 15:04:05Z: 0 runners ok, 0 refreshed, 1 postponed, 1 failed; next in 5 min", summary);
    }
}
