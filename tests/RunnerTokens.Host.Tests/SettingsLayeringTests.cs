using RunnerTokens.TestKit;

namespace RunnerTokens.Host.Tests;

/// <summary>
/// The settings as an operator gives them: env file variables, flags, a --config file; each reaches the plan, a bad
/// one is one message naming what the operator typed, and exit 2.
/// </summary>
public sealed class SettingsLayeringTests : IDisposable
{
    private static readonly string[] _dryRun = ["--check-and-refresh", "--dry-run", "--runner-dir", "samples/actions-runner"];
    private readonly TempDirectory _temp = new("settings");

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("RUNNER_LABELS", "gpu, large-disk", "--labels", "gpu,large-disk", "--labels gpu,large-disk")]
    [InlineData("RUNNER_GROUP", "builders", "--runner-group", "builders", "--runnergroup builders")]
    [InlineData("RUNNER_DISABLE_UPDATE", "yes", "--disable-update", null, "--disableupdate")]
    [InlineData("RUNNER_EPHEMERAL", "true", "--ephemeral", null, "--ephemeral")]
    public async Task RunnerSetting_FromVariableOrFlag_ReachesConfigSh(string variable, string value, string flag, string? flagValue, string expected)
    {
        var fromVariable = await HostProcess.RunAsync(_dryRun, new Dictionary<string, string?> { [variable] = value });
        var fromFlag = await HostProcess.RunAsync(flagValue is null ? [.. _dryRun, flag] : [.. _dryRun, flag, flagValue]);
        var neither = await HostProcess.RunAsync(_dryRun);

        Assert.Equal(0, fromVariable.ExitCode);
        Assert.Equal(0, fromFlag.ExitCode);
        Assert.Contains(expected, ConfigureStep(fromVariable.StandardOutput), StringComparison.Ordinal);
        Assert.Contains(expected, ConfigureStep(fromFlag.StandardOutput), StringComparison.Ordinal);
        Assert.DoesNotContain(expected, ConfigureStep(neither.StandardOutput), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoDefaultLabels_FromVariableOrFlag_ReachesConfigShBesideTheCustomLabels()
    {
        // config.sh refuses --no-default-labels without a custom label, so both are given.
        string[] withLabels = [.. _dryRun, "--labels", "gpu"];
        var fromVariable = await HostProcess.RunAsync(withLabels, new Dictionary<string, string?> { ["RUNNER_NO_DEFAULT_LABELS"] = "1" });
        var fromFlag = await HostProcess.RunAsync([.. withLabels, "--no-default-labels"]);
        var neither = await HostProcess.RunAsync(withLabels);

        Assert.Contains("--labels gpu --no-default-labels", ConfigureStep(fromVariable.StandardOutput), StringComparison.Ordinal);
        Assert.Contains("--labels gpu --no-default-labels", ConfigureStep(fromFlag.StandardOutput), StringComparison.Ordinal);
        Assert.DoesNotContain("--no-default-labels", ConfigureStep(neither.StandardOutput), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SwitchVariableSetToNo_IsBeatenByItsFlag()
    {
        var result = await HostProcess.RunAsync([.. _dryRun, "--ephemeral"], new Dictionary<string, string?> { ["RUNNER_EPHEMERAL"] = "0" });

        Assert.Contains("--ephemeral", ConfigureStep(result.StandardOutput), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("REFRESH_POLICY", "registration")]
    [InlineData("REFRESH_POLICY", "Registration")]
    public async Task PolicyVariable_SetsThePolicy(string variable, string value)
    {
        var result = await HostProcess.RunAsync(_dryRun, new Dictionary<string, string?> { [variable] = value });

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("policy registration renews only an invalid registration", result.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("LOG_LEVEL", "warning")]
    [InlineData("--log-level", "Warning")]
    public async Task LogLevel_Warning_HidesTheInformationLines(string name, string value)
    {
        var result = name.StartsWith("--", StringComparison.Ordinal)
            ? await HostProcess.RunAsync([.. _dryRun, name, value])
            : await HostProcess.RunAsync(_dryRun, new Dictionary<string, string?> { [name] = value });
        var information = await HostProcess.RunAsync(_dryRun);

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("would be:", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("would be:", information.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("REFRESH_POLICY", "sometimes", "use expiry or registration")]
    [InlineData("RUNNER_EPHEMERAL", "maybe", "use 1 or 0")]
    [InlineData("RUNNER_NO_DEFAULT_LABELS", "2", "use 1 or 0")]
    [InlineData("RUNNER_DISABLE_UPDATE", "on please", "use 1 or 0")]
    [InlineData("LOG_LEVEL", "verbose", "use trace, debug, information, warning, error or critical")]
    [InlineData("HEALTH_MAX_AGE", "10", "from 30 to 604800")]
    [InlineData("GITHUB_API_URL", "ftp://x", "absolute http(s) URL")]
    public async Task BadVariable_Exits2NamingItsValueAndWhatIsAllowed(string variable, string value, string allowed)
    {
        var result = await HostProcess.RunAsync(_dryRun, new Dictionary<string, string?> { [variable] = value });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{variable} '{value}' is not allowed: ", result.StandardError, StringComparison.Ordinal);
        Assert.Contains(allowed, result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--runner-dir")]
    [InlineData("RUNNER_DIR")]
    public async Task MissingRunnerDirectory_IsNamedAsTyped_NotAsTheOptionsKey(string name)
    {
        var missing = _temp.Combine("missing");
        var result = name == "RUNNER_DIR"
            ? await HostProcess.RunAsync(["--check-and-refresh"], new Dictionary<string, string?> { ["RUNNER_DIR"] = missing })
            : await HostProcess.RunAsync(["--check-and-refresh", "--runner-dir", missing]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"runner-token-refresh: {name} '{missing}' does not exist", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("Runners[0]", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DefaultRunnerDirectoryMissing_NamesTheFlagAndTheVariable()
    {
        var result = await HostProcess.RunAsync(["--check-and-refresh"], workingDirectory: _temp.Path);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--runner-dir (RUNNER_DIR) './actions-runner' does not exist", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NameVariableDifferingFromDotRunner_IsNamedAsTheVariable()
    {
        var result = await HostProcess.RunAsync(_dryRun, new Dictionary<string, string?> { ["RUNNER_NAME"] = "other" });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("RUNNER_NAME 'other' is not allowed: the runner in", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_UnknownKey_Exits2NamingTheKeyAndWhere()
    {
        var config = await WriteConfigAsync("""
            { "Runners": [ { "Directory": "DIR", "Lables": [ "gpu" ] } ], "GitHub": { "TokenFil": "/x" } }
            """);

        var result = await HostProcess.RunAsync(["--check-and-refresh", "--dry-run", "--config", config]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"--config '{config}': unknown key 'Lables' in a runner (Runners)", result.StandardError, StringComparison.Ordinal);
        Assert.Contains($"--config '{config}': unknown key 'TokenFil' in GitHub", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("would be:", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_UnknownTopLevelKey_Exits2()
    {
        var config = await WriteConfigAsync("""{ "RefreshTreshold": "00:05:00", "Runners": [ { "Directory": "DIR" } ] }""");

        var result = await HostProcess.RunAsync(["--check-and-refresh", "--dry-run", "--config", config]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("unknown key 'RefreshTreshold' at the top level", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_ValueOfTheWrongType_Exits2NamingTheKey()
    {
        var config = await WriteConfigAsync("""{ "RefreshThreshold": "soon", "Runners": [ { "Directory": "DIR" } ] }""");

        var result = await HostProcess.RunAsync(["--check-and-refresh", "--dry-run", "--config", config]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("RefreshThreshold", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_VariablesAndFlagsOverrideTheFile_InThatOrder()
    {
        var config = await WriteConfigAsync("""{ "RefreshThreshold": "00:01:40", "Runners": [ { "Directory": "DIR" } ] }""");

        // The file's threshold is good; a bad variable is reported, so the variable is read over the file; a flag
        // beats the variable, so the bad variable is not even read.
        var variableRead = await HostProcess.RunAsync(["--check-and-refresh", "--dry-run", "--config", config], new Dictionary<string, string?> { ["REFRESH_THRESHOLD"] = "x" });
        var flagBeatsIt = await HostProcess.RunAsync(["--check-and-refresh", "--dry-run", "--config", config, "--threshold", "200"], new Dictionary<string, string?> { ["REFRESH_THRESHOLD"] = "x" });

        Assert.Equal(2, variableRead.ExitCode);
        Assert.Contains("REFRESH_THRESHOLD 'x'", variableRead.StandardError, StringComparison.Ordinal);
        Assert.True(flagBeatsIt.ExitCode == 0, flagBeatsIt.StandardError);
    }

    [Fact]
    public async Task Health_ValidatesItsFlags()
    {
        var result = await HostProcess.RunAsync(["--health", "--max-age", "soon"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--max-age 'soon' is not allowed", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("Metrics file", result.StandardOutput, StringComparison.Ordinal);
        Assert.StartsWith("CRITICAL: bad setting: --max-age 'soon'", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MistypedFlag_Exits2WithASuggestion()
    {
        var result = await HostProcess.RunAsync(["--check-and-refresh", "--runner-dri", "x"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Did you mean", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("--runner-dir", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_ShowsAllowedValuesVariablesExitCodesAndExamples()
    {
        var result = await HostProcess.RunAsync(["--help"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--policy <expiry|registration>", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("[REFRESH_POLICY]", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("MAX_RETRY_ATTEMPTS", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("SYSTEMCTL_PREFIX", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Exit codes:", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Examples:", result.StandardOutput, StringComparison.Ordinal);
    }

    private static string ConfigureStep(string output) =>
        output.Split('\n').FirstOrDefault(line => line.Contains("would be: configure:", StringComparison.Ordinal)) ?? string.Empty;

    private async Task<string> WriteConfigAsync(string json)
    {
        var path = _temp.Combine("config.json");
        await File.WriteAllTextAsync(path, json.Replace("DIR", Path.Combine(HostProcess.RepositoryRoot, "samples", "actions-runner"), StringComparison.Ordinal));
        return path;
    }
}
