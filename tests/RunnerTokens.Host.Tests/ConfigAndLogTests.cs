using RunnerTokens.TestKit;

namespace RunnerTokens.Host.Tests;

public sealed class ConfigAndLogTests : IDisposable
{
    private readonly TempDirectory _temp = new("host-config");

    public void Dispose() => _temp.Dispose();

    private static string Sample => Path.Combine(HostProcess.RepositoryRoot, "samples", "actions-runner");

    [Fact]
    public async Task LogFile_Variable_GetsTheDecisionLine()
    {
        var log = _temp.Combine("logs", "refresh.log");

        var result = await HostProcess.RunAsync(
            ["--check-and-refresh", "--dry-run", "--runner-dir", Sample],
            new Dictionary<string, string?> { ["LOG_FILE"] = log });

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("sample-runner: source=runner-files", await File.ReadAllTextAsync(log), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LogFile_FlagBeatsVariable()
    {
        var flag = _temp.Combine("flag.log");
        var variable = _temp.Combine("variable.log");

        await HostProcess.RunAsync(
            ["--check-and-refresh", "--dry-run", "--runner-dir", Sample, "--log-file", flag],
            new Dictionary<string, string?> { ["LOG_FILE"] = variable });

        Assert.True(File.Exists(flag));
        Assert.False(File.Exists(variable));
    }

    [Fact]
    public async Task LogFile_Unwritable_WarnsAndStillRuns()
    {
        var blocker = _temp.Combine("not-a-folder");
        await File.WriteAllTextAsync(blocker, "x");

        var result = await HostProcess.RunAsync(
            ["--check-and-refresh", "--dry-run", "--runner-dir", Sample, "--log-file", Path.Combine(blocker, "x.log")]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("cannot write the log file", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("source=runner-files", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckConfig_LogFile_IsOneLineOfTheChecklist()
    {
        var blocker = _temp.Combine("not-a-folder");
        await File.WriteAllTextAsync(blocker, "x");
        var unwritable = Path.Combine(blocker, "x.log");
        var writable = _temp.Combine("logs", "refresh.log");

        var bad = await HostProcess.RunAsync(["--check-config", "--runner-dir", Sample, "--log-file", unwritable]);
        var good = await HostProcess.RunAsync(["--check-config", "--runner-dir", Sample, "--log-file", writable]);

        Assert.Equal(2, bad.ExitCode);
        Assert.Contains($"✘ log file is writable: {unwritable}", bad.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("→ create its folder owned by this user", bad.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"✔ log file is writable ({writable})", good.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_TwoRunners_ChecksEach()
    {
        var second = _temp.Combine("second-runner");
        Directory.CreateDirectory(second);
        var config = await WriteConfig($$"""
            {
              "RefreshThreshold": "00:10:00",
              "Runners": [
                { "Directory": "{{Sample}}", "MetricsFile": "{{_temp.Combine("a.json")}}" },
                { "Name": "beta", "Directory": "{{second}}", "Url": "https://github.com/acme/widgets", "MetricsFile": "{{_temp.Combine("b.json")}}" }
              ]
            }
            """);

        var result = await HostProcess.RunAsync(["--check-and-refresh", "--dry-run", "--config", config]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("sample-runner: source=runner-files", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("beta: source=runner-files", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("registration missing", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_NotJson_Exits2NamingTheFile()
    {
        var config = await WriteConfig("{ \"Runners\": [ ");

        var result = await HostProcess.RunAsync(["--check-and-refresh", "--config", config]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"--config '{config}' is not valid JSON", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_WrongType_Exits2NamingTheKey()
    {
        var config = await WriteConfig($$"""{ "CheckInterval": "soon", "Runners": [ { "Directory": "{{Sample}}" } ] }""");

        var result = await HostProcess.RunAsync(["--check-and-refresh", "--config", config]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("CheckInterval", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_OutOfRangeValue_Exits2NamingSettingAndValue()
    {
        var config = await WriteConfig($$"""{ "RefreshThreshold": "02:00:00", "Runners": [ { "Directory": "{{Sample}}" } ] }""");

        var result = await HostProcess.RunAsync(["--check-and-refresh", "--config", config]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("RefreshThreshold = 02:00:00", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_WithRunnersAndOrgFlag_Exits2()
    {
        var config = await WriteConfig($$"""{ "Runners": [ { "Directory": "{{Sample}}" } ] }""");

        var result = await HostProcess.RunAsync(["--check-and-refresh", "--config", config, "--org", "other"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--org 'other' cannot be combined", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_FlagBeatsFile()
    {
        var config = await WriteConfig($$"""{ "RefreshThreshold": "02:00:00", "Runners": [ { "Directory": "{{Sample}}" } ] }""");

        var result = await HostProcess.RunAsync(["--check-and-refresh", "--dry-run", "--config", config, "--threshold", "60"]);

        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Config_Missing_Exits2()
    {
        var result = await HostProcess.RunAsync(["--check-and-refresh", "--config", _temp.Combine("nope.json")]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("does not exist", result.StandardError, StringComparison.Ordinal);
    }

    private async Task<string> WriteConfig(string json)
    {
        var path = _temp.Combine("config.json");
        await File.WriteAllTextAsync(path, json);
        return path;
    }
}
