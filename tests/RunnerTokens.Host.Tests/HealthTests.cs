using RunnerTokens.TestKit;

namespace RunnerTokens.Host.Tests;

/// <summary><c>--health</c> as Nagios or Icinga runs it: one runner or every runner of a <c>--config</c> file.</summary>
public sealed class HealthTests : IDisposable
{
    private readonly TempDirectory _temp = new("health");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task OneRunner_Healthy_PrintsTheSeedLineWithPerfdata()
    {
        var metrics = await WriteMetricsAsync("m.json", "build-01", secondsAgo: 42, failures: 0);

        var result = await HostProcess.RunAsync(["--health", "--metrics-file", metrics]);

        Assert.Equal(0, result.ExitCode);
        var line = Assert.Single(Lines(result.StandardOutput));
        Assert.Matches(@"^OK: Token refresh healthy \| last_check_age=4[2-9]s;300;;0 consecutive_failures=0;;3;0$", line);
    }

    [Fact]
    public async Task OneRunner_StaleByDefault_IsOkWithALongerMaxAge()
    {
        var metrics = await WriteMetricsAsync("m.json", "build-01", secondsAgo: 400, failures: 0);

        var stale = await HostProcess.RunAsync(["--health", "--metrics-file", metrics]);
        var flag = await HostProcess.RunAsync(["--health", "--metrics-file", metrics, "--max-age", "600"]);
        var variable = await HostProcess.RunAsync(["--health", "--metrics-file", metrics], new Dictionary<string, string?> { ["HEALTH_MAX_AGE"] = "600" });

        Assert.Equal(1, stale.ExitCode);
        Assert.StartsWith("WARNING: Last check was 40", stale.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(0, flag.ExitCode);
        Assert.Contains(";600;;0", flag.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(0, variable.ExitCode);
    }

    [Fact]
    public async Task ConfigWithSeveralRunners_OneLineEach_WorstWins()
    {
        var ok = await WriteMetricsAsync("ok.json", "build-01", secondsAgo: 10, failures: 0);
        var failing = await WriteMetricsAsync("failing.json", "deploy-01", secondsAgo: 20, failures: 4);
        var stale = await WriteMetricsAsync("stale.json", "test-01", secondsAgo: 900, failures: 0);
        var config = _temp.Combine("runners.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "Runners": [
                { "Directory": "/srv/a", "MetricsFile": "{{ok}}" },
                { "Directory": "/srv/b", "MetricsFile": "{{failing}}" },
                { "Directory": "/srv/c", "MetricsFile": "{{stale}}" }
              ]
            }
            """);

        var result = await HostProcess.RunAsync(["--health", "--config", config]);

        Assert.Equal(2, result.ExitCode);
        var lines = Lines(result.StandardOutput);
        Assert.Equal(4, lines.Count);
        Assert.StartsWith("CRITICAL: deploy-01: 4 consecutive refresh failures | ", lines[0], StringComparison.Ordinal);
        Assert.Contains("build-01_last_check_age=", lines[0], StringComparison.Ordinal);
        Assert.Contains("deploy-01_consecutive_failures=4;;3;0", lines[0], StringComparison.Ordinal);
        Assert.Contains("test-01_last_check_age=9", lines[0], StringComparison.Ordinal);
        Assert.Equal("OK: build-01: Token refresh healthy", lines[1]);
        Assert.Equal("CRITICAL: deploy-01: 4 consecutive refresh failures", lines[2]);
        Assert.StartsWith("WARNING: test-01: Last check was 9", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigWithARunnerNeverChecked_IsCriticalNamingItsFile()
    {
        var ok = await WriteMetricsAsync("ok.json", "build-01", secondsAgo: 10, failures: 0);
        var missing = _temp.Combine("never.json");
        var config = _temp.Combine("runners.json");
        await File.WriteAllTextAsync(config, $$"""
            { "Runners": [ { "Directory": "/srv/a", "MetricsFile": "{{ok}}" }, { "Name": "new-01", "Directory": "/srv/b", "MetricsFile": "{{missing}}" } ] }
            """);

        var result = await HostProcess.RunAsync(["--health", "--config", config]);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"CRITICAL: new-01: Metrics file not found: {missing}", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OneRunner_MetricsFileIsAFifo_IsCriticalInsteadOfHanging()
    {
        var metrics = _temp.Combine("m.json");
        Fifo.Make(metrics);

        var result = await Fifo.WithinLimitAsync(() => HostProcess.RunAsync(["--health", "--metrics-file", metrics]));

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"CRITICAL: Metrics file {metrics} is unreadable: {metrics} is not a regular file (it is a FIFO)", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StateDirectorySetWithoutMetricsFile_ChecksTheMetricsFileInTheStateFolder()
    {
        var state = _temp.Combine("state");

        var result = await HostProcess.RunAsync(["--health"], new Dictionary<string, string?> { ["STATE_DIRECTORY"] = state });

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"CRITICAL: Metrics file not found: {Path.Combine(state, "metrics.json")}", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmptyMetricsFileFlag_IsCriticalNamingTheFlag()
    {
        var result = await HostProcess.RunAsync(["--health", "--metrics-file", ""]);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("CRITICAL: bad setting: --metrics-file", result.StandardOutput, StringComparison.Ordinal);
    }

    private static List<string> Lines(string output) => [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r'))];

    private async Task<string> WriteMetricsAsync(string name, string runner, int secondsAgo, int failures)
    {
        var path = _temp.Combine(name);
        var lastCheck = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - secondsAgo;
        await File.WriteAllTextAsync(path, $$"""
            { "last_check_timestamp": {{lastCheck}}, "consecutive_failures": {{failures}}, "runner_org": "acme", "runner_name": "{{runner}}" }
            """);
        return path;
    }
}
