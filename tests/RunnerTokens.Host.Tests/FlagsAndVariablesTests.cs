namespace RunnerTokens.Host.Tests;

/// <summary>Each runner flag and its variable reaches the plan the dry run prints.</summary>
public sealed class FlagsAndVariablesTests : IDisposable
{
    private static readonly string[] _dryRun = ["--check-and-refresh", "--dry-run", "--runner-dir", "samples/actions-runner"];

    // A runner folder not registered yet: where --url and --name say how to register it (a registered one keeps its own).
    private readonly TestKit.TempDirectory _unregistered = new("unregistered-runner");

    public void Dispose() => _unregistered.Dispose();

    private string[] DryRunUnregistered => ["--check-and-refresh", "--dry-run", "--runner-dir", _unregistered.Path];

    [Fact]
    public async Task UrlFlag_RepositoryRunner_IsRegisteredThere()
    {
        var result = await HostProcess.RunAsync([.. DryRunUnregistered, "--url", "https://github.com/acme/widgets", "--name", "r1"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--url https://github.com/acme/widgets --name r1 ", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UrlAndNameVariables_AreUsedAndBeatenByFlags()
    {
        var environment = new Dictionary<string, string?> { ["RUNNER_URL"] = "https://ghes.example.com/acme", ["RUNNER_NAME"] = "from-variable" };

        var fromVariables = await HostProcess.RunAsync(DryRunUnregistered, environment);
        var fromFlags = await HostProcess.RunAsync([.. DryRunUnregistered, "--name", "from-flag"], environment);

        Assert.Contains("--url https://ghes.example.com/acme --name from-variable ", fromVariables.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("--name from-flag ", fromFlags.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LabelsFlag_IsPassedToConfigSh()
    {
        var result = await HostProcess.RunAsync([.. _dryRun, "--labels", "gpu, large-disk"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--labels gpu,large-disk", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_PrintsTheVersion()
    {
        var result = await HostProcess.RunAsync(["--version"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", result.StandardOutput);
    }

    [Fact]
    public async Task MaxRetryAttemptsVariable_SetsTheAttempts()
    {
        await using var e2e = await EndToEnd.StartAsync();
        e2e.Machine.Runner.ConfigSh.Fail("configure", "Http response code: InternalServerError");
        var environment = e2e.Environment;
        environment["MAX_RETRY_ATTEMPTS"] = "2";

        var result = await HostProcess.RunAsync(e2e.Arguments("--check-and-refresh"), environment);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(2, e2e.Machine.Runner.ConfigSh.Calls.Count(c => c.Command == "configure"));
        Assert.Contains("attempt 1 of 2 failed", result.StandardOutput, StringComparison.Ordinal);
    }
}
