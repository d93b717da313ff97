using System.Text.Json;
using static RunnerTokens.Host.Tests.FaultMatrix.FaultScenario;

namespace RunnerTokens.Host.Tests.FaultMatrix;

/// <summary>
/// The fault matrix's signal rows: a one-shot run is parked at one step of the re-registration (a fake that hangs
/// there), then gets SIGTERM (a timer's stop, a shutdown) or SIGKILL (the OOM killer, a power cut of the process).
/// </summary>
public sealed class FaultMatrixSignalTests
{
    public static TheoryData<string> SigtermCases => Cases("FaultMatrixSignalTests.Sigterm");

    public static TheoryData<string> SigkillCases => Cases("FaultMatrixSignalTests.Sigkill");

    [Theory]
    [MemberData(nameof(SigtermCases))]
    public async Task Sigterm(string id)
    {
        // arrange: park the run at the step
        await using var e2e = await EndToEnd.StartAsync();
        var before = e2e.Machine.Runner.Snapshot();
        var step = id["sigterm-at-".Length..];
        var (park, reached, release) = Parking(e2e, step);
        park();
        await using var run = Start(e2e, Environment(e2e));
        await WaitUntilAsync(reached, run, $"reached step {step}");
        release();
        var children = Descendants(run.ProcessId);

        // act
        await run.SignalAsync("TERM");
        var exit = await run.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Kill(children);

        // assert: rolled back before the new registration, kept after it; the unit runs; exit 0
        Assert.True(exit == 0, $"exit {exit}:\n{run.Output}");
        AssertSays("SIGTERM", run.Output);
        if (RollsBack(step))
        {
            AssertAsBefore(e2e, before);
            AssertSays("rolled back", run.Output);
        }
        else
        {
            AssertRegisteredAnew(e2e, before);
            AssertRegisteredAndRunning(e2e);
        }

        Assert.Equal(0, e2e.Metrics().GetProperty("total_refreshes").GetInt64());
        TokenScan.AssertNoneLeaked(e2e);
        Assert.DoesNotContain(EndToEnd.Token, run.Output, StringComparison.Ordinal);
        Assert.All(e2e.Api.IssuedTokens, t => Assert.DoesNotContain(t.Token, run.Output, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(SigkillCases))]
    public async Task Sigkill(string id)
    {
        // arrange: park the run at the step
        await using var e2e = await EndToEnd.StartAsync();
        var step = id["sigkill-at-".Length..];
        var (park, reached, release) = Parking(e2e, step);
        park();
        await using var run = Start(e2e, Environment(e2e));
        await WaitUntilAsync(reached, run, $"reached step {step}");
        release();

        // act: kill it and what it started (a hung config.sh or systemctl would otherwise outlive the test), then
        // the next run, as the timer starts it two minutes later
        var children = Descendants(run.ProcessId);
        await run.SignalAsync("KILL");
        Assert.NotEqual(0, await run.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Kill(children);
        var next = await RunAsync(e2e, Environment(e2e));

        // assert: repaired, registered and running
        AssertExit(0, next);
        AssertSays($"an earlier re-registration stopped at step {(step == "configured" ? "configure" : step)}", Said(e2e, next));
        AssertRegisteredAndRunning(e2e);
        AssertMetrics(e2e, refreshes: 1, failures: 0, consecutive: 0);
        TokenScan.AssertNoneLeaked(e2e, next);
        Assert.All(e2e.Api.IssuedTokens, t => Assert.DoesNotContain(t.Token, run.Output, StringComparison.Ordinal));
    }

    private static bool RollsBack(string step) => step is "stop" or "remove" or "configure";

    /// <summary>How to park a run at <paramref name="step"/>, see that it got there, and let the next call of the tool work.</summary>
    private static (Action Park, Func<bool> Reached, Action Release) Parking(EndToEnd e2e, string step)
    {
        var configSh = e2e.Machine.Runner.ConfigSh;
        var systemctl = e2e.Machine.Systemctl;
        return step switch
        {
            "stop" => (() => systemctl.Hang("stop"), () => Reached(e2e, "systemctl stop"), systemctl.Heal),
            "remove" => (() => configSh.Hang("remove"), () => configSh.Hanging("remove"), configSh.Heal),
            "configure" => (() => configSh.Hang("configure"), () => configSh.Hanging("configure"), configSh.Heal),
            "configured" => (configSh.HangAfterConfigure, () => configSh.Configured, configSh.Heal),
            "start" => (() => systemctl.Hang("start"), () => Reached(e2e, "systemctl start"), systemctl.Heal),
            "listen" => (() => systemctl.ListenerTakes(TimeSpan.FromSeconds(20)), () => JournalStep(e2e) == "listen", systemctl.Heal),
            _ => throw new InvalidOperationException($"no way to park at '{step}'"),
        };
    }

    /// <summary>The step the re-registration's journal names, or null.</summary>
    private static string? JournalStep(EndToEnd e2e)
    {
        try
        {
            using var journal = JsonDocument.Parse(File.ReadAllText(Path.Combine(e2e.Machine.StateDirectory, "runner-1", "systemd-journal.json")));
            return journal.RootElement.EnumerateObject().FirstOrDefault(p => p.NameEquals("step") || p.NameEquals("Step")).Value is { ValueKind: JsonValueKind.String } value
                ? value.GetString()
                : null;
        }
        catch (Exception ex) when (ex is IOException or JsonException)
        {
            return null;
        }
    }
}
