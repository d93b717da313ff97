using System.Text.Json;
using CliWrap.Buffered;
using RunnerTokens.Host.Tests.Deploy;
using RunnerTokens.TestKit.GitHub;
using RunnerTokens.TestKit.Runner;

namespace RunnerTokens.Host.Tests;

/// <summary>
/// The README's install steps, performed on a host in a temp folder (<see cref="DebianHost"/>), then the shipped cron
/// file and timer's oneshot unit run as the runner's user (an unused uid) against the fake GitHub and a fake runner
/// owned by that user, as cron and systemd would run them.
/// </summary>
public sealed class InstallStepsEndToEndTests
{
    private static readonly string _cronFile = Path.Combine(DebianHost.DeployFolder, "runner-token-refresh.cron");

    [Fact]
    public async Task CronJob_AsTheRunnersUser_ChecksAndRefreshesWritingStateMetricsAndLog()
    {
        // arrange
        await using var installed = await Installed.CreateAsync();
        installed.Host.PrepareForCron();
        var cron = CronFile.Load(_cronFile);

        // act
        var result = await installed.Host.RunCronJobAsync(cron, Assert.Single(cron.Entries));

        // assert
        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        var metrics = installed.Metrics();
        Assert.True(metrics.GetProperty("last_check_timestamp").GetInt64() > 0);
        Assert.Equal(1, metrics.GetProperty("total_refreshes").GetInt64());
        Assert.True(File.Exists(Path.Combine(installed.Host.StateDirectory, "runner-1", "registration.json")));
        Assert.True(File.Exists(Path.Combine(installed.Host.LogsDirectory, "refresh.log")));
        var issued = Assert.Single(installed.Api.IssuedTokens, t => t.Kind == "registration");
        Assert.Contains(installed.Machine.Runner.ConfigSh.Calls, c => c.Command == "configure" && c.TokenFromEnvironment && c.Token == issued.Token);
        Assert.True(installed.Machine.Systemctl.IsActive("actions.runner.my-org.runner-1.service"));
        installed.AssertNoSecret(result, issued.Token);
    }

    [Fact]
    public async Task CronJob_TokenFileLeftToRoot_Exits2WithTheErrorForCronMailAndRunnerUntouched()
    {
        await using var installed = await Installed.CreateAsync();
        installed.Host.PrepareForCron();
        DebianHost.Chown(installed.Host.TokenFile, 0);
        var cron = CronFile.Load(_cronFile);

        var result = await installed.Host.RunCronJobAsync(cron, Assert.Single(cron.Entries));

        // A token file this user cannot read is a bad setting, found at start (before GitHub is asked for anything).
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(installed.Host.TokenFile, result.StandardError, StringComparison.Ordinal);
        Assert.Contains("' cannot be used: it cannot be read", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain(installed.Machine.Sequence, l => l.Contains("stop", StringComparison.Ordinal));
        Assert.Empty(installed.Machine.GitHub.Requests);
        installed.AssertNoSecret(result, null);
    }

    [Fact]
    public async Task CronJob_WrongRunnerDirectory_ErrorIsPrintedForCronMail()
    {
        await using var installed = await Installed.CreateAsync(runnerDirectory: "/home/runner/no-such-runner");
        installed.Host.PrepareForCron();
        var cron = CronFile.Load(_cronFile);

        var result = await installed.Host.RunCronJobAsync(cron, Assert.Single(cron.Entries));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no-such-runner", result.StandardOutput + result.StandardError, StringComparison.Ordinal);
        installed.AssertNoSecret(result, null);
    }

    [Fact]
    public async Task CronJob_NormalCheckAfterARefresh_PrintsNothingSoCronMailsNothing()
    {
        await using var installed = await Installed.CreateAsync();
        installed.Host.PrepareForCron();
        var cron = CronFile.Load(_cronFile);
        var entry = Assert.Single(cron.Entries);
        Assert.Equal(0, (await installed.Host.RunCronJobAsync(cron, entry)).ExitCode);

        var second = await installed.Host.RunCronJobAsync(cron, entry);

        Assert.Equal(0, second.ExitCode);
        Assert.Equal(string.Empty, second.StandardOutput + second.StandardError);
        Assert.Equal(1, installed.Metrics().GetProperty("total_refreshes").GetInt64());
    }

    [Fact]
    public async Task TimerOneShot_AsSystemdRunsIt_UsesTheCredentialAndStateDirectoryAndRefreshes()
    {
        // arrange: no cron preparation; the unit's StateDirectory=, LogsDirectory= and LoadCredential= do it.
        await using var installed = await Installed.CreateAsync();
        var unit = SystemdUnitFile.Load(Path.Combine(DebianHost.DeployFolder, "runner-token-refresh-oneshot.service"));
        var service = new SystemdServiceEmulator(unit, installed.Host.Map, DebianHost.RunnerUid, DebianHost.RunnerUid);

        // act
        var result = await service.RunAsync();

        // assert
        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        Assert.Equal(1, installed.Metrics().GetProperty("total_refreshes").GetInt64());
        Assert.True(File.Exists(Path.Combine(installed.Host.StateDirectory, "runner-1", "state.json")));
        // The token file is root's (mode 600) and nothing else holds a token: only the credential's copy could buy this.
        var issued = Assert.Single(installed.Api.IssuedTokens, t => t.Kind == "registration");
        Assert.True(installed.Machine.Systemctl.IsActive("actions.runner.my-org.runner-1.service"));
        installed.AssertNoSecret(result, issued.Token);
    }

    [Fact]
    public async Task TimerOneShot_UnderTheJournal_WritesNoLogFileAndSaysNothingAboutOne()
    {
        await using var installed = await Installed.CreateAsync();
        var unit = SystemdUnitFile.Load(Path.Combine(DebianHost.DeployFolder, "runner-token-refresh-oneshot.service"));

        var result = await new SystemdServiceEmulator(unit, installed.Host.Map, DebianHost.RunnerUid, DebianHost.RunnerUid).RunAsync();

        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        Assert.DoesNotContain("log file", result.StandardOutput + result.StandardError, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(Directory.EnumerateFileSystemEntries(installed.Host.LogsDirectory));
    }

    [Fact]
    public async Task TimerOneShot_DryRunAsSystemdRunsIt_ChangesNothingAndPlansPlainSystemctl()
    {
        await using var installed = await Installed.CreateAsync();
        var text = await File.ReadAllTextAsync(Path.Combine(DebianHost.DeployFolder, "runner-token-refresh-oneshot.service"));
        var unit = SystemdUnitFile.Parse(text.Replace("--check-and-refresh", "--check-and-refresh --dry-run", StringComparison.Ordinal));
        var before = installed.Machine.Runner.Snapshot();

        var result = await new SystemdServiceEmulator(unit, installed.Host.Map, DebianHost.RunnerUid, DebianHost.RunnerUid).RunAsync();

        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        Assert.Equal(before, installed.Machine.Runner.Snapshot());
        Assert.DoesNotContain(installed.Api.IssuedTokens, t => t.Kind == "registration");
        Assert.Contains(installed.Machine.Systemctl.Path + " stop", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("sudo", result.StandardOutput, StringComparison.Ordinal);
    }

    /// <summary>A fake GitHub, a fake runner owned by the runner's user, and a host with steps 1 to 3 done.</summary>
    [Fact]
    public async Task CheckConfig_AsTheTimersUnitRunsIt_WithThePolkitRight_AllPassesAndChangesNothing()
    {
        // The README's preflight: the oneshot unit's conditions (user, credential, folders), --check-config instead.
        await using var installed = await Installed.CreateAsync(moreSettings: new Dictionary<string, string> { ["PATH"] = "MACHINE_PATH" });
        installed.Machine.Pkcheck.Allow("start", "actions.runner.my-org.runner-1.service");
        installed.Machine.Pkcheck.Allow("stop", "actions.runner.my-org.runner-1.service");
        var before = installed.Machine.Runner.Snapshot();

        var result = await OneShotUnit("--check-config", installed).RunAsync();

        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        Assert.Contains("✔ GitHub credential works", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("✔ may stop and start actions.runner.my-org.runner-1.service", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("✔ config.sh can be run by this user", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("✘", result.StandardOutput, StringComparison.Ordinal);
        Assert.Empty(installed.Api.IssuedTokens);
        Assert.Equal(before, installed.Machine.Runner.Snapshot());
        installed.AssertNoSecret(result, null);
    }

    [Fact]
    public async Task SudoPrefixUnderTheShippedHardening_CheckConfigSaysWhyAndTheOneShotFetchesNoToken()
    {
        // The first release's blocker: sudo under a unit whose settings force no-new-privileges (set here for real).
        await using var installed = await Installed.CreateAsync(moreSettings: new Dictionary<string, string>
        {
            ["PATH"] = "MACHINE_PATH",
            ["SYSTEMCTL_PREFIX"] = "\"sudo -n\"",
        });

        var check = await OneShotUnit("--check-config", installed).RunAsync();
        var refresh = await OneShotUnit("--check-and-refresh", installed).RunAsync();

        Assert.Equal(2, check.ExitCode);
        Assert.Contains("✘ may stop and start actions.runner.my-org.runner-1.service", check.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("no-new-privileges", check.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("50-runner-token-refresh.rules", check.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(1, refresh.ExitCode);
        Assert.Empty(installed.Api.IssuedTokens);
        Assert.DoesNotContain(installed.Machine.Sequence, l => l.Contains("stop", StringComparison.Ordinal));
        Assert.True(installed.Machine.Systemctl.IsActive("actions.runner.my-org.runner-1.service"));
    }

    [Fact]
    public async Task Daemon_WithoutTheRightToStopTheUnit_RefusesToStartWithTheChecklist()
    {
        await using var installed = await Installed.CreateAsync(moreSettings: new Dictionary<string, string> { ["PATH"] = "MACHINE_PATH" });
        installed.Machine.Pkcheck.Deny();
        var unit = SystemdUnitFile.Load(Path.Combine(DebianHost.DeployFolder, "runner-token-refresh.service"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var result = await new SystemdServiceEmulator(unit, installed.Host.Map, DebianHost.RunnerUid, DebianHost.RunnerUid).RunAsync(timeout.Token);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("✘ may stop and start actions.runner.my-org.runner-1.service", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("not starting", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("Daemon started", result.StandardOutput, StringComparison.Ordinal);
        Assert.Empty(installed.Api.IssuedTokens);
    }

    private static SystemdServiceEmulator OneShotUnit(string mode, Installed installed)
    {
        var text = File.ReadAllText(Path.Combine(DebianHost.DeployFolder, "runner-token-refresh-oneshot.service"));
        var unit = SystemdUnitFile.Parse(text.Replace("--check-and-refresh", mode, StringComparison.Ordinal));
        return new SystemdServiceEmulator(unit, installed.Host.Map, DebianHost.RunnerUid, DebianHost.RunnerUid);
    }

    private sealed class Installed : IAsyncDisposable
    {
        private Installed(FakeGitHubApi api, FakeRunnerMachine machine, DebianHost host)
        {
            Api = api;
            Machine = machine;
            Host = host;
        }

        public FakeGitHubApi Api { get; }

        public FakeRunnerMachine Machine { get; }

        public DebianHost Host { get; }

        public static async Task<Installed> CreateAsync(string? runnerDirectory = null, IReadOnlyDictionary<string, string>? moreSettings = null)
        {
            var api = await FakeGitHubApi.StartAsync();
            api.AddToken(EndToEnd.Token);
            var machine = new FakeRunnerMachine(api);

            // The real runner's files belong to its user; the fake systemctl keeps its records there too.
            File.SetUnixFileMode(machine.RootPath, DebianHost.ReadableFolder);
            DebianHost.Chown(machine.RootPath, DebianHost.RunnerUid, recursive: true);

            var host = new DebianHost();
            host.InstallCommand();
            host.InstallToken(EndToEnd.Token);
            var settings = new Dictionary<string, string>
            {
                ["RUNNER_DIR"] = runnerDirectory ?? machine.Runner.Path,
                ["GITHUB_API_URL"] = api.BaseUrl.ToString(),
                ["SYSTEMCTL_PATH"] = machine.Systemctl.Path,
                ["RETRY_BACKOFF_SECONDS"] = "0",
            };
            foreach (var (name, value) in moreSettings ?? new Dictionary<string, string>())
            {
                settings[name] = value.Replace("MACHINE_PATH", machine.PathVariable, StringComparison.Ordinal);
            }

            host.InstallEnvFile(settings);
            return new Installed(api, machine, host);
        }

        public JsonElement Metrics()
        {
            using var document = JsonDocument.Parse(File.ReadAllText(Host.Map("/var/lib/runner-token-refresh/metrics.json")));
            return document.RootElement.Clone();
        }

        /// <summary>Neither the GitHub token nor the registration token in the output, the log, or any argv of config.sh or systemctl.</summary>
        public void AssertNoSecret(BufferedCommandResult result, string? registrationToken)
        {
            var log = Path.Combine(Host.LogsDirectory, "refresh.log");
            var everything = result.StandardOutput + result.StandardError
                + (File.Exists(log) ? File.ReadAllText(log) : string.Empty)
                + string.Join('\n', Machine.Runner.ConfigSh.Calls.Select(c => c.CommandLine))
                + string.Join('\n', Machine.Systemctl.Calls);
            Assert.DoesNotContain(EndToEnd.Token, everything, StringComparison.Ordinal);
            if (registrationToken is not null)
            {
                Assert.DoesNotContain(registrationToken, everything, StringComparison.Ordinal);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Api.DisposeAsync();
            Machine.Dispose();
            Host.Dispose();
        }
    }
}
