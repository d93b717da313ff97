using RunnerTokens.TestKit;

namespace RunnerTokens.Host.Tests;

public sealed class CommandLineTests : IDisposable
{
    private readonly TempDirectory _temp = new("host");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task CheckAndRefresh_DryRunOnSample_PrintsDecisionAndChangesNothing()
    {
        var sample = Path.Combine(HostProcess.RepositoryRoot, "samples", "actions-runner");
        var before = Snapshot(sample);

        var result = await HostProcess.RunAsync(
            ["--check-and-refresh", "--dry-run", "--org", "your-org", "--runner-dir", "samples/actions-runner", "--metrics-file", _temp.Combine("m.json")]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("source=runner-files", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("action=refresh (dry run)", result.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(sample));
        Assert.False(File.Exists(_temp.Combine("m.json")));
    }

    [Theory]
    [InlineData("expiry", "source=runner-files,listener-log seconds_left=")]
    [InlineData("registration", "source=runner-files,listener-log,unit-state,")]
    public async Task CheckAndRefresh_DryRunOnSample_ReadsTheUnitStateOnlyWhenGitHubIsAsked(string policy, string sources)
    {
        // The unit's state only makes GitHub be asked sooner: under the expiry policy nothing asks, and it is not read.
        var result = await HostProcess.RunAsync(
            ["--check-and-refresh", "--dry-run", "--org", "your-org", "--runner-dir", "samples/actions-runner", "--policy", policy, "--api-url", "http://127.0.0.1:9"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("sample-runner: " + sources, result.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--threshold", "-5", "--threshold '-5'")]
    [InlineData("--threshold", "3600", "--threshold '3600'")]
    [InlineData("--threshold", "abc", "--threshold 'abc'")]
    [InlineData("--interval", "0", "--interval '0'")]
    [InlineData("--policy", "sometimes", "--policy 'sometimes'")]
    public async Task CheckAndRefresh_BadFlag_Exits2NamingIt(string flag, string value, string expected)
    {
        var result = await HostProcess.RunAsync(["--check-and-refresh", "--org", "acme", "--runner-dir", _temp.Path, flag, value]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.StandardError, StringComparison.Ordinal);
        Assert.Contains("is not allowed", result.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("build\nevil", "--name 'build\\nevil' is not allowed")]
    [InlineData("..", "--name '..' is not allowed")]
    [InlineData("a/b", "--name 'a/b' is not allowed")]
    public async Task CheckAndRefresh_NameNotARunnerName_Exits2NamingIt(string name, string expected)
    {
        var result = await HostProcess.RunAsync(["--check-and-refresh", "--org", "acme", "--runner-dir", _temp.Path, "--name", name]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("REFRESH_THRESHOLD", "abc")]
    [InlineData("CHECK_INTERVAL", "-1")]
    [InlineData("MAX_RETRY_ATTEMPTS", "0")]
    [InlineData("RETRY_BACKOFF_SECONDS", "1e3")]
    public async Task CheckAndRefresh_BadVariable_Exits2NamingIt(string variable, string value)
    {
        var result = await HostProcess.RunAsync(
            ["--check-and-refresh", "--org", "acme", "--runner-dir", _temp.Path],
            new Dictionary<string, string?> { [variable] = value });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{variable} '{value}' is not allowed", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAndRefresh_FlagBeatsVariable()
    {
        var result = await HostProcess.RunAsync(
            ["--check-and-refresh", "--dry-run", "--runner-dir", "samples/actions-runner", "--threshold", "100"],
            new Dictionary<string, string?> { ["REFRESH_THRESHOLD"] = "abc" });

        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task CheckAndRefresh_NoOrg_Exits2SayingWhatToSet()
    {
        // A runner folder not registered yet: config.sh, no .runner.
        await File.WriteAllTextAsync(Path.Combine(_temp.Path, "config.sh"), "#!/bin/bash\n");

        var result = await HostProcess.RunAsync(["--check-and-refresh", "--runner-dir", _temp.Path]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("RUNNER_ORG", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("--org", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAndRefresh_OrgFromVariable_IsUsed()
    {
        var result = await HostProcess.RunAsync(
            ["--check-and-refresh", "--dry-run"],
            new Dictionary<string, string?> { ["RUNNER_ORG"] = "your-org", ["RUNNER_DIR"] = "samples/actions-runner" });

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("sample-runner:", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAndRefresh_MissingRunnerDirectory_Exits2NamingIt()
    {
        var missing = _temp.Combine("nope");

        var result = await HostProcess.RunAsync(["--check-and-refresh", "--org", "acme", "--runner-dir", missing]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"'{missing}' does not exist", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoMode_Exits2()
    {
        var result = await HostProcess.RunAsync(["--org", "acme"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("choose a mode", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoModes_Exits2()
    {
        var result = await HostProcess.RunAsync(["--daemon", "--health"]);

        Assert.Equal(2, result.ExitCode);
    }

    [Fact]
    public async Task UnknownFlag_Exits2()
    {
        var result = await HostProcess.RunAsync(["--check-and-refresh", "--bogus"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--bogus", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_ListsTheSeedsFlags()
    {
        var result = await HostProcess.RunAsync(["--help"]);

        Assert.Equal(0, result.ExitCode);
        foreach (var flag in new[] { "--daemon", "--check-and-refresh", "--dry-run", "--org", "--runner-dir", "--threshold", "--interval", "--log-file", "--health" })
        {
            Assert.Contains(flag, result.StandardOutput, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(null, 2, "CRITICAL: Metrics file not found")]
    [InlineData("{}", 1, "WARNING: No check timestamp found")]
    [InlineData("{\"last_check_timestamp\": NOW, \"consecutive_failures\": 3}", 2, "CRITICAL: 3 consecutive refresh failures")]
    [InlineData("{\"last_check_timestamp\": OLD, \"consecutive_failures\": 0}", 1, "WARNING: Last check was")]
    [InlineData("{\"last_check_timestamp\": NOW, \"consecutive_failures\": 0}", 0, "OK: Token refresh healthy")]
    public async Task Health_AppliesTheSeedsRules(string? json, int exitCode, string message)
    {
        var metrics = _temp.Combine("metrics.json");
        if (json is not null)
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            await File.WriteAllTextAsync(metrics, json.Replace("NOW", $"{now}", StringComparison.Ordinal).Replace("OLD", $"{now - 3600}", StringComparison.Ordinal));
        }

        var result = await HostProcess.RunAsync(["--health"], new Dictionary<string, string?> { ["METRICS_FILE"] = metrics });

        Assert.Equal(exitCode, result.ExitCode);
        Assert.StartsWith(message, result.StandardOutput, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Snapshot(string directory) =>
        Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories)
            .ToDictionary(p => p, p => File.Exists(p) ? Convert.ToBase64String(File.ReadAllBytes(p)) : "dir");
}
