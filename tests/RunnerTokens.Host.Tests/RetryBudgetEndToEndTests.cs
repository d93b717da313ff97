using RunnerTokens.TestKit;
using RunnerTokens.TestKit.GitHub;

namespace RunnerTokens.Host.Tests;

/// <summary>
/// Issue 10, point 2, as an operator sees it: engine attempts and HTTP retries share one budget (not 3 attempts × 5
/// calls = 15 token requests), every retry line says where it stands, and a permanent refusal is not repeated.
/// </summary>
public sealed class RetryBudgetEndToEndTests : IDisposable
{
    private const string TokenPath = "/actions/runners/registration-token";

    private readonly TempDirectory _temp = new("retry-budget");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task CheckAndRefresh_GitHubFailsEveryTokenRequest_ThreeAttemptsShareFourRetries()
    {
        await using var e2e = await EndToEnd.StartAsync();
        var before = e2e.Machine.Runner.Snapshot();
        e2e.Api.InjectFault(FakeFault.ServerError(502), times: 100, pathContains: TokenPath);

        var result = await e2e.RunAsync("--check-and-refresh", "--config", FastGitHubRetries());

        Assert.True(result.ExitCode == 1, result.StandardOutput + result.StandardError);

        // MAX_RETRY_ATTEMPTS=3 (default) and GitHub:MaxRetryAttempts=4 (default): 1 + 4 in the first attempt, 1 in each other.
        Assert.Equal(7, e2e.Api.RequestsTo(TokenPath).Count);
        var output = result.StandardOutput + result.StandardError;
        Assert.Contains("GitHub call 1 of 5, refresh attempt 1 of 3", output, StringComparison.Ordinal);
        Assert.Contains("GitHub call 4 of 5, refresh attempt 1 of 3", output, StringComparison.Ordinal);
        Assert.Contains("GitHub call 5 of 5, refresh attempt 1 of 3: the 4 GitHub retries (GitHub:MaxRetryAttempts) this refresh may make are used up", output, StringComparison.Ordinal);
        Assert.Contains("GitHub call 1 of 1, refresh attempt 3 of 3", output, StringComparison.Ordinal);
        Assert.Contains("after 3 of 3 attempt(s), no attempts left", output, StringComparison.Ordinal);

        // GitHub's error body read by Octokit (under Native AOT only when its error types are kept: Trimming/Octokit.xml).
        Assert.Contains("(502: Server Error)", output, StringComparison.Ordinal);

        // Nothing was stopped: every failure came before the runner was touched.
        Assert.Equal(before, e2e.Machine.Runner.Snapshot());
        Assert.DoesNotContain(e2e.Machine.Systemctl.Calls, c => c.StartsWith("stop", StringComparison.Ordinal));
        Assert.True(e2e.Machine.Systemctl.IsActive("actions.runner.my-org.runner-1.service"));
    }

    [Fact]
    public async Task CheckAndRefresh_GitHubRefusesTheTokenForAMissingPermission_AsksOnceAndSaysItIsPermanent()
    {
        await using var e2e = await EndToEnd.StartAsync();
        e2e.Api.InjectFault(FakeFault.Status(403, "Resource not accessible by integration"), times: 100, pathContains: TokenPath);

        var result = await e2e.RunAsync("--check-and-refresh", "--config", FastGitHubRetries());

        Assert.True(result.ExitCode == 1, result.StandardOutput + result.StandardError);
        Assert.Single(e2e.Api.RequestsTo(TokenPath));
        var output = result.StandardOutput + result.StandardError;
        Assert.Contains("Resource not accessible by integration", output, StringComparison.Ordinal);
        Assert.Contains("after 1 of 3 attempt(s), a permanent failure, not retried", output, StringComparison.Ordinal);
        Assert.True(e2e.Machine.Systemctl.IsActive("actions.runner.my-org.runner-1.service"));
    }

    [Fact]
    public async Task CheckAndRefresh_UnknownRunnerGroup_ReRegistersOnceNotThrice()
    {
        await using var e2e = await EndToEnd.StartAsync();
        var before = e2e.Machine.Runner.Snapshot();

        var result = await e2e.RunAsync("--check-and-refresh", "--runner-group", "no-such-group");

        Assert.True(result.ExitCode == 1, result.StandardOutput + result.StandardError);
        Assert.Single(e2e.Machine.Runner.ConfigSh.Calls, c => c.Command == "configure");
        Assert.Single(e2e.Api.RequestsTo(TokenPath));
        var output = result.StandardOutput + result.StandardError;
        Assert.Contains("Could not find any self-hosted runner group named \"no-such-group\"", output, StringComparison.Ordinal);
        Assert.Contains("a permanent failure, not retried", output, StringComparison.Ordinal);
        Assert.Equal(before, e2e.Machine.Runner.Snapshot());
        Assert.True(e2e.Machine.Systemctl.IsActive("actions.runner.my-org.runner-1.service"));
    }

    [Fact]
    public async Task CheckAndRefresh_StartFailsOnceAndTheRepairStartsIt_OneReRegistrationExit0()
    {
        await using var e2e = await EndToEnd.StartAsync();
        e2e.Machine.Systemctl.Fail("start", "Failed to start actions.runner.my-org.runner-1.service: Connection timed out", once: true);

        var result = await e2e.RunAsync("--check-and-refresh");

        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        Assert.Single(e2e.Machine.Runner.ConfigSh.Calls, c => c.Command == "configure");
        Assert.Single(e2e.Api.RequestsTo(TokenPath));
        Assert.Contains("but the repair kept the new registration and started the unit again, and it listens for jobs", result.StandardOutput + result.StandardError, StringComparison.Ordinal);
        Assert.True(e2e.Machine.Systemctl.IsActive("actions.runner.my-org.runner-1.service"));
        Assert.Equal(1, e2e.Metrics().GetProperty("total_refreshes").GetInt64());
    }

    [Fact]
    public async Task CheckAndRefresh_NoCredentialAtAll_FailsAtOnceWithoutRetriesOrAStackTrace()
    {
        // GitHub cannot be asked whether the runner is in a job, and never will be without a credential: one attempt.
        await using var e2e = await EndToEnd.StartAsync();
        var environment = e2e.Environment;
        environment["GITHUB_TOKEN"] = null;
        environment["RETRY_BACKOFF_SECONDS"] = "600";

        var result = await HostProcess.RunAsync(e2e.Arguments("--check-and-refresh"), environment);

        Assert.True(result.ExitCode == 1, result.StandardOutput + result.StandardError);
        var output = result.StandardOutput + result.StandardError;
        Assert.Contains("No GitHub credential", output, StringComparison.Ordinal);
        Assert.Contains("after 1 of 3 attempt(s), a permanent failure, not retried", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain(e2e.Machine.Systemctl.Calls, c => c.StartsWith("stop", StringComparison.Ordinal));
    }

    /// <summary>GitHub's own retries a few milliseconds apart instead of 2, 4, 8, 16 s, to keep the test short.</summary>
    private string FastGitHubRetries()
    {
        var path = _temp.Combine("config.json");
        File.WriteAllText(path, """{ "GitHub": { "RetryDelay": "00:00:00.010" } }""");
        return path;
    }
}
