using System.Diagnostics;
using RunnerTokens.TestKit.GitHub;
using RunnerTokens.TestKit.Runner;

namespace RunnerTokens.Systemd.Tests.TestKit;

/// <summary>The fake systemctl stops like systemd and starts an emulated listener that tells whether GitHub still knows the runner.</summary>
public sealed class FakeSystemctlTests : IAsyncLifetime
{
    private const string Unit = "actions.runner.my-org.runner-1.service";

    private FakeGitHubApi _gitHub = null!;

    public async Task InitializeAsync() => _gitHub = await FakeGitHubApi.StartAsync();

    public async Task DisposeAsync() => await _gitHub.DisposeAsync();

    [Fact]
    public async Task Stop_ThatTakesTime_DeactivatingThenInactive()
    {
        using var machine = new FakeRunnerMachine(_gitHub);
        machine.Systemctl.StopTakes(TimeSpan.FromSeconds(3));
        var watch = Stopwatch.StartNew();

        var stop = await FakeProcess.RunAsync(machine, "systemctl", ["stop", Unit]);
        var during = await FakeProcess.RunAsync(machine, "systemctl", ["is-active", Unit]);
        var returnedAfter = watch.Elapsed;
        var active = machine.Systemctl.IsActive(Unit);
        var settledAfter = watch.Elapsed;

        Assert.Equal(0, stop.ExitCode);
        Assert.Equal((3, "deactivating"), (during.ExitCode, during.Output.Trim()));
        Assert.True(returnedAfter < TimeSpan.FromSeconds(3), $"{returnedAfter}");
        Assert.False(active);
        Assert.True(settledAfter >= TimeSpan.FromSeconds(2.9), $"{settledAfter}");
        Assert.Equal("inactive", machine.Systemctl.State(Unit));
    }

    [Fact]
    public async Task Start_RunnerStillOnGitHub_LogsListeningForJobsInANewDiagLog()
    {
        using var machine = new FakeRunnerMachine(_gitHub);
        machine.RegisteredRunner!.Status = "offline";
        await FakeProcess.RunAsync(machine, "systemctl", ["stop", Unit]);
        var before = machine.Runner.DiagLogs;

        var start = await FakeProcess.RunAsync(machine, "systemctl", ["start", Unit]);

        Assert.Equal(0, start.ExitCode);
        var log = Assert.Single(machine.Runner.DiagLogs.Except(before));
        var lines = File.ReadAllLines(log);
        Assert.Matches(@"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ INFO Terminal\] WRITE LINE: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ: Listening for Jobs$", lines[^1]);
        Assert.True(machine.Systemctl.IsActive(Unit));
        Assert.Equal("online", machine.RegisteredRunner!.Status);
    }

    [Fact]
    public async Task Start_RunnerDeletedOnGitHub_LogsTheListenersErrorAndTheUnitEndsInactive()
    {
        using var machine = new FakeRunnerMachine(_gitHub);
        _gitHub.RemoveRunner("orgs/my-org", "runner-1");
        await FakeProcess.RunAsync(machine, "systemctl", ["stop", Unit]);
        var before = machine.Runner.DiagLogs;

        var start = await FakeProcess.RunAsync(machine, "systemctl", ["start", Unit]);
        var rightAfter = await FakeProcess.RunAsync(machine, "systemctl", ["is-active", Unit]);

        Assert.Equal(0, start.ExitCode);
        Assert.Equal("active", rightAfter.Output.Trim());
        Assert.False(machine.Systemctl.IsActive(Unit));
        Assert.Equal("inactive", machine.Systemctl.State(Unit));
        var log = File.ReadAllText(Assert.Single(machine.Runner.DiagLogs.Except(before)));
        Assert.Contains(" ERR  Terminal] WRITE ERROR: Failed to create a session. The runner registration has been deleted from the server, please re-configure.", log, StringComparison.Ordinal);
        Assert.DoesNotContain("Listening for Jobs", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_RunnerReplacedWithAnotherKey_RefusedAsDeleted()
    {
        using var machine = new FakeRunnerMachine(_gitHub);
        machine.RegisteredRunner!.PublicKeyModulus = "QW5vdGhlcktleQ==";

        await FakeProcess.RunAsync(machine, "systemctl", ["start", Unit]);

        Assert.False(machine.Systemctl.IsActive(Unit));
        Assert.Contains("registration has been deleted from the server", File.ReadAllText(machine.Runner.DiagLogs[^1]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_MigratedSettings_TriedFirstThenRunner()
    {
        using var machine = new FakeRunnerMachine(_gitHub, new RunnerLayout { Migrated = true });
        File.WriteAllText(machine.Runner.File(".runner_migrated"), "\uFEFF{\"agentId\": 999}");

        await FakeProcess.RunAsync(machine, "systemctl", ["start", Unit]);

        Assert.True(machine.Systemctl.IsActive(Unit));
        Assert.Contains("Listening for Jobs", File.ReadAllText(machine.Runner.DiagLogs[^1]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ListenerFailsLater_LogsTheLineAndTheUnitEndsInactive()
    {
        using var machine = new FakeRunnerMachine(_gitHub);
        machine.Systemctl.FailListenerAfter(TimeSpan.FromSeconds(0.5), "Runner OAuth token has been revoked. Shutting down.");

        await FakeProcess.RunAsync(machine, "systemctl", ["start", Unit]);

        Assert.False(machine.Systemctl.IsActive(Unit));
        var lines = File.ReadAllLines(machine.Runner.DiagLogs[^1]);
        Assert.Contains("Listening for Jobs", lines[^2], StringComparison.Ordinal);
        Assert.EndsWith(" ERR  Terminal] WRITE ERROR: Runner OAuth token has been revoked. Shutting down.", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_WhileTheListenerIsAboutToExit_VoidsTheExit()
    {
        using var machine = new FakeRunnerMachine(_gitHub);
        machine.Systemctl.FailListenerAfter(TimeSpan.FromSeconds(2), "boom");
        await FakeProcess.RunAsync(machine, "systemctl", ["start", Unit]);

        await FakeProcess.RunAsync(machine, "systemctl", ["stop", Unit]);
        machine.Systemctl.Heal();
        await FakeProcess.RunAsync(machine, "systemctl", ["start", Unit]);
        await Task.Delay(TimeSpan.FromSeconds(2.5));

        Assert.True(machine.Systemctl.IsActive(Unit));
    }

    [Fact]
    public async Task Start_UnitWithoutRunnerDirectory_OnlyBecomesActive()
    {
        using var machine = new FakeRunnerMachine(_gitHub);
        machine.Systemctl.Install("plain.service", active: false);
        var before = machine.Runner.DiagLogs.Count;

        var start = await FakeProcess.RunAsync(machine, "systemctl", ["start", "plain.service"]);

        Assert.Equal(0, start.ExitCode);
        Assert.True(machine.Systemctl.IsActive("plain.service"));
        Assert.Equal(before, machine.Runner.DiagLogs.Count);
    }
}
