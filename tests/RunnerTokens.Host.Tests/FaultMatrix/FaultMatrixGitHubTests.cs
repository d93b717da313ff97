using System.Net;
using System.Net.Sockets;
using RunnerTokens.TestKit.GitHub;
using static RunnerTokens.Host.Tests.FaultMatrix.FaultScenario;

namespace RunnerTokens.Host.Tests.FaultMatrix;

/// <summary>The fault matrix's GitHub rows: the API fails while a one-shot run refreshes the runner.</summary>
public sealed class FaultMatrixGitHubTests
{
    // Few, fast retries of each call: the retry budget is no part of these cases, the end state is.
    private const string FastGitHub = """{ "GitHub": { "MaxRetryAttempts": 1, "RetryDelay": "00:00:00", "RequestTimeout": "00:00:01" } }""";

    /// <summary>A permanent refusal is asked once: the engine does not repeat it, nor does the HTTP layer.</summary>
    private static void NotRetried(EndToEnd e2e) => Assert.Single(e2e.Api.RequestsTo("/actions/runners/registration-token"));

    public static TheoryData<string> Cases => FaultScenario.Cases("FaultMatrixGitHubTests.Faults");

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Faults(string id)
    {
        await using var e2e = await EndToEnd.StartAsync();
        var before = e2e.Machine.Runner.Snapshot();
        var settings = Config(e2e, FastGitHub);
        switch (id)
        {
            case "api-502-then-ok":
                e2e.Api.InjectFault(FakeFault.ServerError(502), times: 1, pathContains: "registration-token");
                await RefreshesAsync(e2e, before, settings);
                break;
            case "api-5xx-always":
                e2e.Api.InjectFault(FakeFault.ServerError(503), times: 100, pathContains: "registration-token");
                await FailsUntouchedAsync(e2e, before, settings, "503");
                break;
            case "api-401":
                e2e.Api.InjectFault(FakeFault.Status(401, "Bad credentials"), times: 100);
                await FailsUntouchedAsync(e2e, before, settings, "401");
                break;
            case "api-403-permission":
                e2e.Api.InjectFault(FakeFault.Status(403, "Resource not accessible by personal access token"), times: 100, pathContains: "registration-token");
                await FailsUntouchedAsync(e2e, before, settings, "403");
                NotRetried(e2e);
                break;
            case "api-404":
                e2e.Api.InjectFault(FakeFault.Status(404, "Not Found"), times: 100, pathContains: "registration-token");
                await FailsUntouchedAsync(e2e, before, settings, "404");
                NotRetried(e2e);
                break;
            case "api-422":
                e2e.Api.InjectFault(FakeFault.Status(422, "Validation Failed"), times: 100, pathContains: "registration-token");
                await FailsUntouchedAsync(e2e, before, settings, "422");
                NotRetried(e2e);
                break;
            case "api-primary-rate-limit":
                await PrimaryRateLimitAsync(e2e, before, settings);
                break;
            case "api-secondary-rate-limit":
                e2e.Api.InjectFault(FakeFault.SecondaryRateLimit(429, retryAfterSeconds: 1), times: 1, pathContains: "registration-token");
                await RefreshesAsync(e2e, before, settings);
                break;
            case "api-secondary-rate-limit-403":
                e2e.Api.InjectFault(FakeFault.SecondaryRateLimit(403, retryAfterSeconds: 1), times: 1, pathContains: "registration-token");
                await RefreshesAsync(e2e, before, settings);
                break;
            case "api-500-during-configure":
                // config.sh's own first call (it does not retry): the attempt is rolled back, the next one works.
                e2e.Api.InjectFault(FakeFault.ServerError(500), times: 1, pathContains: "actions/runner-registration");
                await RefreshesAsync(e2e, before, settings);
                Assert.Equal(2, e2e.Machine.Runner.ConfigSh.Calls.Count(c => c.Command == "configure"));
                break;
            case "api-timeout":
                e2e.Api.InjectFault(FakeFault.Slow(TimeSpan.FromSeconds(20)), times: 100, pathContains: "registration-token");
                // One try only: each waits the whole timeout.
                await FailsUntouchedAsync(
                    e2e,
                    before,
                    Config(e2e, """{ "GitHub": { "MaxRetryAttempts": 0, "RequestTimeout": "00:00:01" } }"""),
                    "did not answer POST /orgs/my-org/actions/runners/registration-token within 1 s",
                    attempts: 1);
                break;
            case "api-connection-refused":
                await ConnectionRefusedAsync(e2e, before, settings);
                break;
            case "api-malformed-json":
                e2e.Api.InjectFault(FakeFault.BadJson(), times: 100, pathContains: "registration-token");
                await FailsUntouchedAsync(e2e, before, settings, "JSON");
                break;
            case "api-html":
                e2e.Api.InjectFault(FakeFault.Html(), times: 100, pathContains: "registration-token");
                await FailsUntouchedAsync(e2e, before, settings, "HTML");
                break;
            default:
                throw new InvalidOperationException($"no case for '{id}'");
        }
    }

    private static async Task FailsUntouchedAsync(
        EndToEnd e2e, IReadOnlyDictionary<string, byte[]> before, string[] settings, string fact, int attempts = 2)
    {
        var result = await RunAsync(e2e, Environment(e2e, attempts), settings);

        AssertExit(1, result);
        AssertRunnerUntouched(e2e);
        AssertAsBefore(e2e, before);
        AssertMetrics(e2e, refreshes: 0, failures: 1, consecutive: 1);
        AssertSays(fact, Said(e2e, result));
        TokenScan.AssertNoneLeaked(e2e, result);
    }

    private static async Task PrimaryRateLimitAsync(EndToEnd e2e, IReadOnlyDictionary<string, byte[]> before, string[] settings)
    {
        e2e.Api.ExhaustRateLimit(DateTimeOffset.UtcNow.AddMinutes(30));
        var first = await RunAsync(e2e, Environment(e2e), settings);
        var requests = e2e.Api.Requests.Count;

        var second = await RunAsync(e2e, Environment(e2e), settings);

        AssertExit(1, first);
        AssertExit(1, second);
        Assert.Equal(requests, e2e.Api.Requests.Count);
        AssertSays("rate limit", Said(e2e, second));
        AssertRunnerUntouched(e2e);
        AssertAsBefore(e2e, before);
        AssertMetrics(e2e, refreshes: 0, failures: 2, consecutive: 2);
        TokenScan.AssertNoneLeaked(e2e, first, second);
    }

    private static async Task ConnectionRefusedAsync(EndToEnd e2e, IReadOnlyDictionary<string, byte[]> before, string[] settings)
    {
        // A port that was free a moment ago: nothing listens there.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var result = await HostProcess.RunAsync(
            ["--check-and-refresh", "--runner-dir", e2e.Machine.Runner.Path, "--api-url", $"http://127.0.0.1:{port}/", .. settings], Environment(e2e));

        AssertExit(1, result);
        AssertRunnerUntouched(e2e);
        AssertAsBefore(e2e, before);
        AssertMetrics(e2e, refreshes: 0, failures: 1, consecutive: 1);
        AssertSays("refused", Said(e2e, result));
        TokenScan.AssertNoneLeaked(e2e, result);
    }
}
