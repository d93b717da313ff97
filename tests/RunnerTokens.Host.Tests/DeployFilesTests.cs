using CliWrap;
using CliWrap.Buffered;
using RunnerTokens.Host.Tests.Deploy;
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
    [InlineData("runner-token-refresh.service", "MemoryDenyWriteExecute=yes")]
    [InlineData("runner-token-refresh.service", "ProtectHome=yes")]
    [InlineData("runner-token-refresh-oneshot.service", "MemoryDenyWriteExecute=yes")]
    [InlineData("runner-token-refresh-oneshot.service", "ProtectHome=yes")]
    public void Unit_LacksHardeningThatBreaksTheJitOrTheRunnerInHome(string unit, string setting) =>
        Assert.DoesNotContain(setting, File.ReadAllLines(Path.Combine(_deploy, unit)));

    [Theory]
    [InlineData("runner-token-refresh.service")]
    [InlineData("runner-token-refresh-oneshot.service")]
    public async Task Unit_PassesSystemdAnalyzeVerify(string unit)
    {
        var result = await VerifyAsync(unit);

        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Equal(string.Empty, (result.StandardError + result.StandardOutput).Trim());
    }

    [Theory]
    [InlineData("runner-token-refresh.service")]
    [InlineData("runner-token-refresh-oneshot.service")]
    public async Task UnitWithSudoDropIn_PassesSystemdAnalyzeVerify(string unit)
    {
        var result = await VerifyAsync(unit, dropIn: "sudo.conf");

        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Equal(string.Empty, (result.StandardError + result.StandardOutput).Trim());
    }

    [Fact]
    public async Task TimerAndItsOneShot_PassSystemdAnalyzeVerify()
    {
        var result = await VerifyAsync("runner-token-refresh.timer", also: "runner-token-refresh-oneshot.service");

        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Equal(string.Empty, (result.StandardError + result.StandardOutput).Trim());
    }

    [Theory]
    [InlineData("runner-token-refresh.service")]
    [InlineData("runner-token-refresh-oneshot.service")]
    public void ShippedUnit_HardenedSoNoNewPrivilegesHolds_AndNothingUsesSudo(string unit)
    {
        var parsed = SystemdUnitFile.Load(Path.Combine(_deploy, unit));

        Assert.NotEmpty(NoNewPrivilegesRule.Reasons(parsed));
        Assert.Empty(NoNewPrivilegesRule.SudoUses(parsed, ShippedEnvironmentFile));
        Assert.Empty(NoNewPrivilegesRule.Violations(parsed, ShippedEnvironmentFile));
    }

    [Theory]
    [InlineData("runner-token-refresh.service")]
    [InlineData("runner-token-refresh-oneshot.service")]
    public void ShippedUnit_WithSudoPrefixInTheEnvFile_BreaksTheRule(string unit)
    {
        var parsed = SystemdUnitFile.Load(Path.Combine(_deploy, unit));
        var withSudo = File.ReadAllText(Path.Combine(_deploy, "token-refresh.env")) + "SYSTEMCTL_PREFIX=\"sudo -n\"\n";

        var violations = NoNewPrivilegesRule.Violations(parsed, path => path == EnvFilePath ? SystemdEnvironmentFile.Parse(withSudo) : null);

        var violation = Assert.Single(violations);
        Assert.Contains("SYSTEMCTL_PREFIX=sudo -n", violation, StringComparison.Ordinal);
        Assert.Contains("PrivateDevices=yes", violation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("runner-token-refresh.service")]
    [InlineData("runner-token-refresh-oneshot.service")]
    public void ShippedUnit_WithSudoDropIn_UsesSudoWithoutNoNewPrivileges(string unit)
    {
        var parsed = SystemdUnitFile.Load(Path.Combine(_deploy, unit), Path.Combine(_deploy, "sudo.conf"));

        Assert.Equal(["SYSTEMCTL_PREFIX=sudo -n"], NoNewPrivilegesRule.SudoUses(parsed, ShippedEnvironmentFile));
        Assert.Empty(NoNewPrivilegesRule.Reasons(parsed));
        Assert.Empty(NoNewPrivilegesRule.Violations(parsed, ShippedEnvironmentFile));
    }

    [Fact]
    public void SudoDropIn_OverAUnitWithEveryImplyingSettingOn_LeavesNoNewPrivilegesOff()
    {
        // Every setting of systemd's list switched on, so a setting the drop-in forgets to reset shows up by name.
        var unit = "[Service]\nUser=runner\nExecStart=/bin/true\nNoNewPrivileges=yes\n"
            + string.Concat(NoNewPrivilegesRule.ImplyingSettings.Select(s => $"{s}={OnValue(s)}\n"));
        Assert.Equal(NoNewPrivilegesRule.ImplyingSettings.Count + 1, NoNewPrivilegesRule.Reasons(SystemdUnitFile.Parse(unit)).Count);

        var withDropIn = SystemdUnitFile.Parse(unit, File.ReadAllText(Path.Combine(_deploy, "sudo.conf")));

        Assert.Empty(NoNewPrivilegesRule.Reasons(withDropIn));
    }

    [Theory]
    [InlineData("User=runner\nPrivateDevices=yes", true)]
    [InlineData("User=runner\nPrivateDevices=no", false)]
    [InlineData("User=runner\nPrivateDevices=false", false)]
    [InlineData("User=runner\nPrivateDevices=yes\nPrivateDevices=", false)]
    [InlineData("User=runner\nProtectClock=on", true)]
    [InlineData("User=runner\nSystemCallArchitectures=native", true)]
    [InlineData("User=runner\nSystemCallArchitectures=native\nSystemCallArchitectures=", false)]
    [InlineData("User=runner\nSystemCallFilter=@system-service", true)]
    [InlineData("User=runner\nSystemCallLog=~@basic-io", true)]
    [InlineData("User=runner\nRestrictAddressFamilies=AF_UNIX", true)]
    [InlineData("User=runner\nRestrictAddressFamilies=none", true)]
    [InlineData("User=runner\nRestrictNamespaces=~user", true)]
    [InlineData("User=runner\nRestrictNamespaces=no", false)]
    [InlineData("User=runner\nMemoryDenyWriteExecute=yes", true)]
    [InlineData("User=runner\nRestrictSUIDSGID=1", true)]
    [InlineData("User=runner\nProtectSystem=full\nProtectHome=yes\nPrivateTmp=yes\nProtectControlGroups=yes", false)]
    [InlineData("User=runner\nNoNewPrivileges=yes", true)]
    [InlineData("User=root\nPrivateDevices=yes\nSystemCallArchitectures=native", false)]
    [InlineData("PrivateDevices=yes", false)]
    [InlineData("NoNewPrivileges=yes", true)]
    [InlineData("DynamicUser=yes", true)]
    public void Rule_UnitUsingSudo_ViolatesExactlyWhenSystemdSetsNoNewPrivileges(string settings, bool violates)
    {
        var unit = SystemdUnitFile.Parse($"[Service]\nExecStart=/usr/local/bin/runner-token-refresh --daemon\nEnvironment=\"SYSTEMCTL_PREFIX=sudo -n\"\n{settings}\n");

        var violations = NoNewPrivilegesRule.Violations(unit, _ => null);

        Assert.Equal(violates, violations.Count > 0);
    }

    [Fact]
    public void Rule_SudoInExecStart_Violates()
    {
        var unit = SystemdUnitFile.Parse("[Service]\nUser=runner\nLockPersonality=yes\nExecStart=/usr/bin/sudo -n /usr/local/bin/runner-token-refresh --daemon\n");

        Assert.Single(NoNewPrivilegesRule.Violations(unit, _ => null));
    }

    [Fact]
    public void Rule_EnvironmentFileBeatsEnvironment_AsSystemdDoes()
    {
        var unit = SystemdUnitFile.Parse("[Service]\nUser=runner\nPrivateDevices=yes\nEnvironment=\"SYSTEMCTL_PREFIX=sudo -n\"\nEnvironmentFile=-/etc/x.env\n");

        Assert.NotEmpty(NoNewPrivilegesRule.Violations(unit, _ => null));
        Assert.Empty(NoNewPrivilegesRule.Violations(unit, _ => new Dictionary<string, string> { ["SYSTEMCTL_PREFIX"] = string.Empty }));
    }

    [Fact]
    public async Task EnvFile_AsSystemdReadsIt_IsAcceptedByTheCommandWithPlainSystemctl()
    {
        var environment = SystemdEnvironmentFile.Read(Path.Combine(_deploy, "token-refresh.env")).ToDictionary(p => p.Key, p => (string?)p.Value);
        Assert.False(environment.ContainsKey("SYSTEMCTL_PREFIX"));
        Assert.False(environment.ContainsKey("LOG_FILE"));
        environment["RUNNER_DIR"] = Path.Combine(HostProcess.RepositoryRoot, "samples", "actions-runner");
        environment["LOG_FILE"] = _temp.Combine("refresh.log");
        environment["METRICS_FILE"] = _temp.Combine("metrics.json");

        var result = await HostProcess.RunAsync(["--check-and-refresh", "--dry-run"], environment);

        Assert.True(result.ExitCode == 0, result.StandardError);
        var stop = Assert.Single(result.StandardOutput.Split('\n'), line => line.Contains("would be: stop:", StringComparison.Ordinal));
        Assert.Contains("stop: systemctl stop", stop, StringComparison.Ordinal);
        Assert.DoesNotContain("sudo", stop, StringComparison.Ordinal);
    }

    [Fact]
    public void EnvFile_EveryLineIsACommentOrACleanAssignment_CommentedSettingsToo()
    {
        var lines = File.ReadAllLines(Path.Combine(_deploy, "token-refresh.env"));

        // Parse refuses a bad name, a trailing comment, or a value sh and systemd read differently.
        var variables = SystemdEnvironmentFile.Parse(string.Join('\n', lines));
        var commentedOut = lines.Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, "^#[A-Za-z_][A-Za-z0-9_]*=")).ToList();
        var uncommented = SystemdEnvironmentFile.Parse(string.Join('\n', commentedOut.Select(l => l[1..])));

        Assert.Contains("RUNNER_DIR", variables.Keys);
        Assert.Equal("sudo -n", uncommented["SYSTEMCTL_PREFIX"]);
        Assert.Equal(commentedOut.Count, uncommented.Count);
    }

    [Fact]
    public void EnvironmentFileReader_TrailingCommentOrBadName_Refused()
    {
        Assert.Throws<FormatException>(() => SystemdEnvironmentFile.Parse("RUNNER_NAME=x            # default"));
        Assert.Throws<FormatException>(() => SystemdEnvironmentFile.Parse("RUNNER NAME=x"));
        Assert.Throws<FormatException>(() => SystemdEnvironmentFile.Parse("RUNNER_NAME=a b"));
        Assert.Equal("a b", SystemdEnvironmentFile.Parse("X=\"a b\"")["X"]);
    }

    [Fact]
    public async Task EnvFile_AsTheCronFileSourcesIt_GivesTheSameValuesAsSystemd()
    {
        var file = Path.Combine(_deploy, "token-refresh.env");
        var systemd = SystemdEnvironmentFile.Read(file);
        var print = string.Join("; ", systemd.Keys.Select(name => $"printf '%s=%s\\n' {name} \"${name}\""));

        var result = await Cli.Wrap("/bin/sh")
            .WithArguments(["-c", $"set -a; . '{file}'; set +a; {print}"])
            .ExecuteBufferedAsync();

        Assert.Equal(string.Empty, result.StandardError);
        Assert.Equal(systemd.Select(p => $"{p.Key}={p.Value}"), result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void CronFile_RunsTheOneShotAsRunnerWithTheEnvFileEveryTwoMinutesKeepingItsOutput()
    {
        var cron = CronFile.Load(Path.Combine(_deploy, "runner-token-refresh.cron"));

        var entry = Assert.Single(cron.Entries);
        Assert.Equal("runner", entry.User);
        Assert.Contains(". /etc/github-runner/token-refresh.env", entry.Command, StringComparison.Ordinal);
        Assert.Contains("runner-token-refresh --check-and-refresh", entry.Command, StringComparison.Ordinal);
        Assert.DoesNotContain("/dev/null", entry.Command, StringComparison.Ordinal);
        Assert.True(entry.LongestGap < HealthStaleLimit, $"a check every {entry.LongestGap} leaves --health stale ({HealthStaleLimit})");
        Assert.Equal("Warning", cron.Environment["LOG_LEVEL"]);
        Assert.Equal("root", cron.Environment["MAILTO"]);
        Assert.Equal("/var/lib/runner-token-refresh", cron.Environment["STATE_DIRECTORY"]);
        Assert.Equal("/etc/github-runner/github-token", cron.Environment["GITHUB_TOKEN_FILE"]);
    }

    [Fact]
    public void Timer_StartsTheOneShotWellInsideTheHealthStaleLimit()
    {
        var timer = SystemdUnitFile.Load(Path.Combine(_deploy, "runner-token-refresh.timer"));
        var oneShot = SystemdUnitFile.Load(Path.Combine(_deploy, "runner-token-refresh-oneshot.service"));

        Assert.Equal("runner-token-refresh-oneshot.service", timer.Value("Timer", "Unit"));
        var gap = TimeSpanOf(timer.Value("Timer", "OnUnitActiveSec")) + TimeSpanOf(timer.Value("Timer", "RandomizedDelaySec") ?? "0");
        Assert.True(gap < HealthStaleLimit, $"a check every {gap} leaves --health stale ({HealthStaleLimit})");
        Assert.Equal("oneshot", oneShot.Value("Service", "Type"));
        Assert.Equal("/usr/local/bin/runner-token-refresh --check-and-refresh", oneShot.Value("Service", "ExecStart"));
        Assert.Null(oneShot.Value("Service", "Restart"));
        Assert.Equal("mixed", oneShot.Value("Service", "KillMode"));
        // A oneshot's whole run counts against TimeoutStartSec (90 s by default): room for a 5-minute stop and a rollback.
        Assert.True(TimeSpanOf(oneShot.Value("Service", "TimeoutStartSec")) >= TimeSpan.FromMinutes(15));
        Assert.True(TimeSpanOf(oneShot.Value("Service", "TimeoutStopSec")) >= TimeSpan.FromMinutes(10));
        Assert.Equal(
            SystemdUnitFile.Load(Path.Combine(_deploy, "runner-token-refresh.service")).Values("Service", "LoadCredential"),
            oneShot.Values("Service", "LoadCredential"));
    }

    [Theory]
    [InlineData("start", "actions.runner.org-x.name.service")]
    [InlineData("stop", "actions.runner.org-x.name.service")]
    [InlineData("stop", "actions.runner._services.build-1.service")]
    public void PolkitRule_RunnerStartsOrStopsARunnerUnit_Yes(string verb, string unit)
    {
        using var rules = new PolkitRules(Path.Combine(_deploy, "50-runner-token-refresh.rules"));

        Assert.Equal(1, rules.RuleCount);
        Assert.Equal("yes", rules.Check(ManageUnits, new Dictionary<string, string> { ["unit"] = unit, ["verb"] = verb }, "runner", "runner"));
    }

    [Theory]
    [InlineData(ManageUnits, "someone", "start", "actions.runner.org-x.name.service")]
    [InlineData(ManageUnits, "root", "stop", "actions.runner.org-x.name.service")]
    [InlineData(ManageUnits, "runner", "restart", "actions.runner.org-x.name.service")]
    [InlineData(ManageUnits, "runner", "enable", "actions.runner.org-x.name.service")]
    [InlineData(ManageUnits, "runner", "mask", "actions.runner.org-x.name.service")]
    [InlineData(ManageUnits, "runner", "reload-or-restart", "actions.runner.org-x.name.service")]
    [InlineData(ManageUnits, "runner", "start", "sshd.service")]
    [InlineData(ManageUnits, "runner", "stop", "actions.runner.x.service ssh.service")]
    [InlineData(ManageUnits, "runner", "stop", "actions.runner.x.service\nssh.service")]
    [InlineData(ManageUnits, "runner", "stop", "actions.runner.x.service/../ssh.service")]
    [InlineData(ManageUnits, "runner", "stop", "actions.runner.x.timer")]
    [InlineData(ManageUnits, "runner", "stop", "xactions.runner.x.service")]
    [InlineData("org.freedesktop.systemd1.manage-unit-files", "runner", "stop", "actions.runner.org-x.name.service")]
    [InlineData("org.freedesktop.login1.reboot", "runner", "stop", "actions.runner.org-x.name.service")]
    public void PolkitRule_AnythingElse_NoOpinion(string action, string user, string verb, string unit)
    {
        using var rules = new PolkitRules(Path.Combine(_deploy, "50-runner-token-refresh.rules"));

        Assert.Null(rules.Check(action, new Dictionary<string, string> { ["unit"] = unit, ["verb"] = verb }, user, user, "runner"));
    }

    [Fact]
    public void PolkitRule_DetailsMissing_NoOpinion()
    {
        using var rules = new PolkitRules(Path.Combine(_deploy, "50-runner-token-refresh.rules"));

        Assert.Null(rules.Check(ManageUnits, new Dictionary<string, string>(), "runner"));
        Assert.Null(rules.Check(ManageUnits, new Dictionary<string, string> { ["unit"] = "actions.runner.x.y.service" }, "runner"));
        Assert.Null(rules.Check(ManageUnits, new Dictionary<string, string> { ["verb"] = "start" }, "runner"));
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

    private const string ManageUnits = "org.freedesktop.systemd1.manage-units";
    private const string EnvFilePath = "/etc/github-runner/token-refresh.env";

    /// <summary>The stale limit of <c>--health</c> (the seed script's 300 s).</summary>
    private static readonly TimeSpan HealthStaleLimit = TimeSpan.FromSeconds(300);

    private static Dictionary<string, string>? ShippedEnvironmentFile(string path) =>
        path == EnvFilePath ? SystemdEnvironmentFile.Read(Path.Combine(_deploy, "token-refresh.env")) : null;

    private static string OnValue(string setting) => setting switch
    {
        "RestrictAddressFamilies" => "AF_UNIX",
        "SystemCallArchitectures" => "native",
        "SystemCallFilter" => "@system-service",
        "SystemCallLog" => "@privileged",
        _ => "yes",
    };

    /// <summary>A systemd time span of one number and unit (<c>2min</c>, <c>20s</c>, <c>12min</c>, <c>1h</c>).</summary>
    private static TimeSpan TimeSpanOf(string? value)
    {
        var match = System.Text.RegularExpressions.Regex.Match(value ?? throw new ArgumentNullException(nameof(value)), "^([0-9]+)\\s*(ms|s|sec|m|min|h)?$");
        Assert.True(match.Success, $"'{value}' is not a time span this test reads");
        var number = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(number),
            "m" or "min" => TimeSpan.FromMinutes(number),
            "h" => TimeSpan.FromHours(number),
            _ => TimeSpan.FromSeconds(number),
        };
    }

    /// <summary>
    /// systemd-analyze verify on a copy of the deploy files (the binary path pointed at /bin/true, which exists), with
    /// an optional drop-in in the unit's <c>.d</c> folder, found through SYSTEMD_UNIT_PATH as systemd would.
    /// </summary>
    private async Task<BufferedCommandResult> VerifyAsync(string unit, string? dropIn = null, string? also = null)
    {
        var folder = _temp.Combine("units");
        Directory.CreateDirectory(folder);
        string[] names = also is null ? [unit] : [unit, also];
        foreach (var name in names)
        {
            var text = await File.ReadAllTextAsync(Path.Combine(_deploy, name));
            await File.WriteAllTextAsync(Path.Combine(folder, name), text.Replace("/usr/local/bin/runner-token-refresh", "/bin/true", StringComparison.Ordinal));
        }

        if (dropIn is not null)
        {
            Directory.CreateDirectory(Path.Combine(folder, unit + ".d"));
            File.Copy(Path.Combine(_deploy, dropIn), Path.Combine(folder, unit + ".d", dropIn));
        }

        return await Cli.Wrap("systemd-analyze")
            .WithArguments(["verify", .. names.Select(n => Path.Combine(folder, n))])
            .WithEnvironmentVariables(new Dictionary<string, string?> { ["SYSTEMD_UNIT_PATH"] = folder + ":" })
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync();
    }
}
