using static RunnerTokens.Host.Tests.FaultMatrix.FaultScenario;

namespace RunnerTokens.Host.Tests.FaultMatrix;

/// <summary>The fault matrix's config.sh rows: the runner's own script fails, half-way or not at all, during a one-shot refresh.</summary>
public sealed class FaultMatrixConfigShTests
{
    private const string ShortConfigTimeout = """{ "Systemd": { "ConfigTimeout": "00:00:02" } }""";

    public static TheoryData<string> Cases => FaultScenario.Cases("FaultMatrixConfigShTests.Faults");

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Faults(string id)
    {
        await using var e2e = await EndToEnd.StartAsync();
        var before = e2e.Machine.Runner.Snapshot();
        var configSh = e2e.Machine.Runner.ConfigSh;
        switch (id)
        {
            case "config-remove-fails":
                configSh.Fail("remove", "An error occurred: Access to the path '.credentials' is denied.");
                await FailsRestoredAsync(e2e, before, Environment(e2e), [], "Access to the path '.credentials' is denied");
                break;
            case "config-remove-partway":
                configSh.FailRemovePartway();
                await FailsRestoredAsync(e2e, before, Environment(e2e), [], "could not delete");
                break;
            case "config-configure-fails":
                configSh.Fail("configure", "Http response code: Forbidden from 'POST https://api.github.com/actions/runner-registration'");
                await FailsRestoredAsync(e2e, before, Environment(e2e), [], "Forbidden");
                break;
            case "config-configure-partway":
                configSh.FailConfigurePartway();
                await FailsRestoredAsync(e2e, before, Environment(e2e), [], "500 (Internal Server Error)");
                break;
            case "config-configure-hangs":
                configSh.Hang("configure");
                await FailsRestoredAsync(e2e, before, Environment(e2e, attempts: 1), Config(e2e, ShortConfigTimeout), "within 2 s");
                break;
            case "config-hangs-after-registering":
                await HangsAfterRegisteringAsync(e2e, before);
                break;
            case "config-refuses-root":
                configSh.PretendUid(0);
                await FailsRestoredAsync(e2e, before, Environment(e2e, 2, ("RUNNER_ALLOW_RUNASROOT", null)), [], "RUNNER_ALLOW_RUNASROOT");
                Assert.Single(e2e.Api.RequestsTo("/actions/runners/registration-token")); // permanent: not retried
                break;
            case "config-unknown-runner-group":
                await FailsRestoredAsync(e2e, before, Environment(e2e, 2, ("RUNNER_GROUP", "gpu-pool")), [], "Could not find any self-hosted runner group named \"gpu-pool\"");
                Assert.Single(e2e.Machine.Runner.ConfigSh.Calls, c => c.Command == "configure"); // permanent: not retried
                break;
            default:
                throw new InvalidOperationException($"no case for '{id}'");
        }
    }

    private static async Task FailsRestoredAsync(
        EndToEnd e2e, IReadOnlyDictionary<string, byte[]> before, Dictionary<string, string?> environment, string[] extra, string fact)
    {
        var result = await RunAsync(e2e, environment, extra);

        AssertExit(1, result);
        AssertAsBefore(e2e, before);
        AssertMetrics(e2e, refreshes: 0, failures: 1, consecutive: 1);
        AssertSays(fact, Said(e2e, result));
        TokenScan.AssertNoneLeaked(e2e, result);
    }

    private static async Task HangsAfterRegisteringAsync(EndToEnd e2e, IReadOnlyDictionary<string, byte[]> before)
    {
        e2e.Machine.Runner.ConfigSh.HangAfterConfigure();

        // Long enough for the fake to register over HTTP on a busy machine, short enough for a test.
        var result = await RunAsync(e2e, Environment(e2e, attempts: 1), Config(e2e, """{ "Systemd": { "ConfigTimeout": "00:00:06" } }"""));

        // The repair keeps the complete new registration and starts the unit; once it listens, the refresh is done.
        AssertExit(0, result);
        Assert.True(e2e.Machine.Runner.ConfigSh.Configured, "config.sh never registered");
        AssertRegisteredAnew(e2e, before);
        AssertMetrics(e2e, refreshes: 1, failures: 0, consecutive: 0);
        AssertSays("within 6 s", Said(e2e, result));
        AssertSays("listens for jobs: re-registered; not retried", Said(e2e, result));
        TokenScan.AssertNoneLeaked(e2e, result);
    }
}
