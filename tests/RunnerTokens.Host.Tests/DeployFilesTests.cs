using CliWrap;
using CliWrap.Buffered;
using RunnerTokens.TestKit;

namespace RunnerTokens.Host.Tests;

public sealed class DeployFilesTests : IDisposable
{
    private static readonly string _deploy = Path.Combine(HostProcess.RepositoryRoot, "src", "RunnerTokens.Host", "deploy");
    private readonly TempDirectory _temp = new("deploy");

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("Type=notify")]
    [InlineData("User=runner")]
    [InlineData("ExecStart=/usr/local/bin/runner-token-refresh --daemon")]
    [InlineData("EnvironmentFile=-/etc/github-runner/token-refresh.env")]
    [InlineData("StateDirectory=runner-token-refresh")]
    [InlineData("LoadCredential=github-token:/etc/github-runner/github-token")]
    [InlineData("Restart=on-failure")]
    [InlineData("RestartPreventExitStatus=2")]
    [InlineData("ProtectSystem=full")]
    [InlineData("PrivateTmp=yes")]
    [InlineData("KillMode=mixed")]
    public void Unit_HasSetting_Enabled(string setting) =>
        Assert.Contains(setting, File.ReadAllLines(Path.Combine(_deploy, "runner-token-refresh.service")));

    [Theory]
    [InlineData("NoNewPrivileges=yes")]
    [InlineData("MemoryDenyWriteExecute=yes")]
    [InlineData("ProtectHome=yes")]
    public void Unit_LacksHardeningThatBreaksSudoOrTheJit(string setting) =>
        Assert.DoesNotContain(setting, File.ReadAllLines(Path.Combine(_deploy, "runner-token-refresh.service")));

    [Fact]
    public async Task Unit_PassesSystemdAnalyzeVerify()
    {
        // systemd-analyze checks every key against this systemd; the binary path must exist, so point it at one that does.
        var unit = _temp.Combine("runner-token-refresh.service");
        var text = await File.ReadAllTextAsync(Path.Combine(_deploy, "runner-token-refresh.service"));
        await File.WriteAllTextAsync(unit, text.Replace("/usr/local/bin/runner-token-refresh", "/bin/true", StringComparison.Ordinal));

        var result = await Cli.Wrap("systemd-analyze").WithArguments(["verify", unit]).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(string.Empty, (result.StandardError + result.StandardOutput).Trim());
    }

    [Fact]
    public async Task EnvFile_AsSystemdReadsIt_IsAcceptedByTheCommand()
    {
        var environment = ReadEnvironmentFile(Path.Combine(_deploy, "token-refresh.env"));
        Assert.Equal("sudo -n", environment["SYSTEMCTL_PREFIX"]);
        environment["RUNNER_DIR"] = Path.Combine(HostProcess.RepositoryRoot, "samples", "actions-runner");
        environment["LOG_FILE"] = _temp.Combine("refresh.log");
        environment["METRICS_FILE"] = _temp.Combine("metrics.json");

        var result = await HostProcess.RunAsync(["--check-and-refresh", "--dry-run"], environment);

        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Contains("sudo -n systemctl stop", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnvFile_AsTheCronFileSourcesIt_GivesTheSameValues()
    {
        var file = Path.Combine(_deploy, "token-refresh.env");
        var result = await Cli.Wrap("sh")
            .WithArguments(["-c", $"set -a; . '{file}'; set +a; printf '%s|%s|%s' \"$SYSTEMCTL_PREFIX\" \"$RUNNER_DIR\" \"$REFRESH_THRESHOLD\""])
            .ExecuteBufferedAsync();

        Assert.Equal("sudo -n|/home/runner/actions-runner|300", result.StandardOutput);
        Assert.Equal(string.Empty, result.StandardError);
    }

    [Fact]
    public void CronFile_RunsTheOneShotAsRunnerWithTheEnvFile()
    {
        var entries = File.ReadAllLines(Path.Combine(_deploy, "runner-token-refresh.cron"))
            .Where(line => line.StartsWith('*') || (line.Length > 0 && char.IsDigit(line[0])))
            .ToList();

        var entry = Assert.Single(entries);
        var fields = entry.Split(' ', 7);
        Assert.Equal("runner", fields[5]);
        Assert.Contains(". /etc/github-runner/token-refresh.env", fields[6], StringComparison.Ordinal);
        Assert.Contains("runner-token-refresh --check-and-refresh", fields[6], StringComparison.Ordinal);
    }

    [Fact]
    public void SudoersRule_AllowsOnlyStartStopIsActiveOfRunnerUnits()
    {
        var rule = Assert.Single(File.ReadAllLines(Path.Combine(_deploy, "sudoers-runner-token-refresh")), l => !l.StartsWith('#') && l.Length > 0);
        var pattern = rule[(rule.IndexOf(" ^", StringComparison.Ordinal) + 1)..];
        var regex = new System.Text.RegularExpressions.Regex(pattern);

        Assert.Matches(regex, "stop actions.runner.my-org.runner-1.service");
        Assert.Matches(regex, "is-active actions.runner.my-org-repo.runner-1.service");
        Assert.DoesNotMatch(regex, "stop actions.runner.x.service sshd.service");
        Assert.DoesNotMatch(regex, "restart actions.runner.x.service");
        Assert.DoesNotMatch(regex, "stop sshd.service");
    }

    /// <summary>Reads KEY=VALUE lines as systemd's EnvironmentFile= does for this file: comments skipped, double quotes removed.</summary>
    private static Dictionary<string, string?> ReadEnvironmentFile(string path) =>
        File.ReadAllLines(path)
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => (string?)pair[1].Trim('"'));
}
