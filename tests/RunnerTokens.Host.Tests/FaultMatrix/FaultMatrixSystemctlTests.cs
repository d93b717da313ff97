using static RunnerTokens.Host.Tests.FaultMatrix.FaultScenario;

namespace RunnerTokens.Host.Tests.FaultMatrix;

/// <summary>The fault matrix's systemctl rows: stopping or starting the runner's unit fails, or its listener does not come up.</summary>
public sealed class FaultMatrixSystemctlTests
{
    private const string ShortTimeouts = """{ "Systemd": { "StopTimeout": "00:00:02", "ListenTimeout": "00:00:02" } }""";

    public static TheoryData<string> Cases => FaultScenario.Cases("FaultMatrixSystemctlTests.Faults");

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Faults(string id)
    {
        await using var e2e = await EndToEnd.StartAsync();
        var before = e2e.Machine.Runner.Snapshot();
        var systemctl = e2e.Machine.Systemctl;
        var settings = Config(e2e, ShortTimeouts);
        switch (id)
        {
            case "systemctl-stop-fails":
                systemctl.Fail("stop", $"Failed to stop {Unit}: Access denied");
                await FailsRestoredAsync(e2e, before, settings, "Access denied");
                break;
            case "systemctl-stop-hangs":
                systemctl.Hang("stop");
                await FailsRestoredAsync(e2e, before, settings, "within 2 s");
                break;
            case "systemctl-stop-slow":
                systemctl.StopTakes(TimeSpan.FromSeconds(1.5));
                await RefreshesAsync(e2e, before, Config(e2e, """{ "Systemd": { "StopTimeout": "00:00:10" } }"""));
                break;
            case "systemctl-start-fails-once":
                systemctl.Fail("start", $"Job for {Unit} failed because the control process exited with error code.", once: true);
                await StartFailsOnceAsync(e2e, before, settings);
                break;
            case "systemctl-start-fails":
                systemctl.Fail("start", $"Job for {Unit} failed because the control process exited with error code.");
                await FailsKeepingNewAsync(e2e, before, settings, "control process exited with error code", running: false);
                break;
            case "systemctl-unit-fails-after-start":
                systemctl.FailAfterStart();
                await FailsKeepingNewAsync(e2e, before, settings, "failed", running: false);
                break;
            case "systemctl-listener-refuses-session":
                systemctl.RefuseSession("Failed to create session. Access denied: the runner's OAuth client is not authorized.");
                await FailsKeepingNewAsync(e2e, before, settings, "Failed to create session", running: false);
                break;
            case "systemctl-listener-never-listens":
                systemctl.ListenerTakes(TimeSpan.FromSeconds(3));
                await FailsKeepingNewAsync(e2e, before, settings, "Listening for Jobs", running: true);
                break;
            default:
                throw new InvalidOperationException($"no case for '{id}'");
        }
    }

    private static async Task FailsRestoredAsync(EndToEnd e2e, IReadOnlyDictionary<string, byte[]> before, string[] settings, string fact)
    {
        var result = await RunAsync(e2e, Environment(e2e, attempts: 1), settings);

        AssertExit(1, result);
        AssertAsBefore(e2e, before);
        AssertMetrics(e2e, refreshes: 0, failures: 1, consecutive: 1);
        AssertSays(fact, Said(e2e, result));
        TokenScan.AssertNoneLeaked(e2e, result);
    }

    private static async Task StartFailsOnceAsync(EndToEnd e2e, IReadOnlyDictionary<string, byte[]> before, string[] settings)
    {
        var result = await RunAsync(e2e, Environment(e2e, attempts: 2), settings);

        AssertExit(0, result);
        AssertRegisteredAnew(e2e, before);
        AssertRegisteredAndRunning(e2e);
        AssertMetrics(e2e, refreshes: 1, failures: 0, consecutive: 0);
        AssertSays("control process exited with error code", Said(e2e, result));
        TokenScan.AssertNoneLeaked(e2e, result);
    }

    private static async Task FailsKeepingNewAsync(
        EndToEnd e2e, IReadOnlyDictionary<string, byte[]> before, string[] settings, string fact, bool running)
    {
        var result = await RunAsync(e2e, Environment(e2e, attempts: 1), settings);

        AssertExit(1, result);
        AssertRegisteredAnew(e2e, before, running);
        AssertMetrics(e2e, refreshes: 0, failures: 1, consecutive: 1);
        AssertSays(fact, Said(e2e, result));
        TokenScan.AssertNoneLeaked(e2e, result);
        if (!running)
        {
            // The next check, once the unit can run again, brings the runner back.
            e2e.Machine.Systemctl.Heal();
            var next = await RunAsync(e2e, Environment(e2e, attempts: 1), settings);
            AssertExit(0, next);
            AssertRegisteredAndRunning(e2e);
            TokenScan.AssertNoneLeaked(e2e, result, next);
        }
    }
}
