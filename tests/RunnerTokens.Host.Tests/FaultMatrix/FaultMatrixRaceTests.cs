using static RunnerTokens.Host.Tests.FaultMatrix.FaultScenario;

namespace RunnerTokens.Host.Tests.FaultMatrix;

/// <summary>The fault matrix's race rows: two runs on one runner at once (a cron job beside the timer, an operator by hand).</summary>
public sealed class FaultMatrixRaceTests
{
    public static TheoryData<string> Cases => FaultScenario.Cases("FaultMatrixRaceTests.Faults");

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Faults(string id)
    {
        await using var e2e = await EndToEnd.StartAsync();
        var before = e2e.Machine.Runner.Snapshot();
        switch (id)
        {
            case "race-two-runs":
                await TwoRunsAsync(e2e, before);
                break;
            case "race-lock-file-deleted":
                await LockFileDeletedAsync(e2e, before);
                break;
            default:
                throw new InvalidOperationException($"no case for '{id}'");
        }
    }

    private static async Task TwoRunsAsync(EndToEnd e2e, IReadOnlyDictionary<string, byte[]> before)
    {
        var runs = await Task.WhenAll(RunAsync(e2e, Environment(e2e)), RunAsync(e2e, Environment(e2e)));

        AssertExit(0, runs[0]);
        AssertExit(0, runs[1]);
        Assert.Single(e2e.Machine.Runner.ConfigSh.Calls, c => c.Command == "configure");
        Assert.Single(e2e.Api.IssuedTokens, t => t.Kind == "registration");
        AssertRegisteredAnew(e2e, before);
        AssertRegisteredAndRunning(e2e);
        AssertMetrics(e2e, refreshes: 1, failures: 0, consecutive: 0);
        TokenScan.AssertNoneLeaked(e2e, runs);
    }

    private static async Task LockFileDeletedAsync(EndToEnd e2e, IReadOnlyDictionary<string, byte[]> before)
    {
        // arrange: the first run holds the lock while the unit takes 3 s to stop; someone deletes refresh.lock
        e2e.Machine.Systemctl.StopTakes(TimeSpan.FromSeconds(3));
        await using var first = Start(e2e, Environment(e2e));
        await WaitUntilAsync(() => Reached(e2e, "systemctl stop"), first, "stopped the unit");
        File.Delete(Path.Combine(e2e.Machine.StateDirectory, "runner-1", "refresh.lock"));

        // act: a second run, which waits 1 s for the lock
        var second = await RunAsync(e2e, Environment(e2e), Config(e2e, """{ "LockTimeout": "00:00:01" }"""));
        var firstExit = await first.WaitForExitAsync(TimeSpan.FromSeconds(60));

        // assert: the second kept its hands off; the first refreshed
        AssertExit(0, second);
        AssertSays("another process", Said(e2e, second));
        Assert.True(firstExit == 0, first.Output);
        Assert.Single(e2e.Machine.Runner.ConfigSh.Calls, c => c.Command == "configure");
        Assert.Single(e2e.Machine.Sequence, l => l.StartsWith("systemctl stop", StringComparison.Ordinal));
        AssertRegisteredAnew(e2e, before);
        AssertRegisteredAndRunning(e2e);
        AssertMetrics(e2e, refreshes: 1, failures: 0, consecutive: 0);
        TokenScan.AssertNoneLeaked(e2e, second);
    }
}
