using RunnerTokens.TestKit.GitHub;
using RunnerTokens.TestKit.Runner;

namespace RunnerTokens.Systemd.Tests.TestKit;

/// <summary>The fakes answer as sudo -l, systemctl show and pkcheck do.</summary>
public sealed class FakePreflightToolsTests : IAsyncLifetime
{
    private const string Unit = "actions.runner.my-org.runner-1.service";

    private FakeGitHubApi _gitHub = null!;

    public async Task InitializeAsync() => _gitHub = await FakeGitHubApi.StartAsync();

    public async Task DisposeAsync() => await _gitHub.DisposeAsync();

    [Fact]
    public async Task SudoList_Allowed_PrintsTheFullCommandAndRunsNothing()
    {
        using var machine = new FakeRunnerMachine(_gitHub);

        var (exitCode, output) = await FakeProcess.RunAsync(machine, "sudo", ["-n", "-l", "systemctl", "stop", Unit]);

        Assert.Equal((0, $"{machine.Systemctl.Path} stop {Unit}"), (exitCode, output.Trim()));
        Assert.Empty(machine.Systemctl.Calls);
    }

    [Fact]
    public async Task SudoList_NoRule_SaysNotAllowedExit1()
    {
        using var machine = new FakeRunnerMachine(_gitHub);
        machine.Sudo.Deny();

        var (exitCode, output) = await FakeProcess.RunAsync(machine, "sudo", ["-n", "-l", "systemctl", "stop", Unit]);

        Assert.Equal(1, exitCode);
        Assert.Contains($"is not allowed to execute 'systemctl stop {Unit}' as root", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sudo_UnderNoNewPrivileges_RefusesEvenAllowedCommands()
    {
        using var machine = new FakeRunnerMachine(_gitHub);

        var list = await FakeProcess.RunAsync(machine, "/usr/bin/setpriv", ["--no-new-privs", "--", machine.Sudo.Path, "-n", "-l", "systemctl", "stop", Unit]);
        var run = await FakeProcess.RunAsync(machine, "/usr/bin/setpriv", ["--no-new-privs", "--", machine.Sudo.Path, "-n", "systemctl", "stop", Unit]);

        Assert.Equal(1, list.ExitCode);
        Assert.Contains("sudo: The \"no new privileges\" flag is set, which prevents sudo from running as root.", list.Output, StringComparison.Ordinal);
        Assert.Equal(1, run.ExitCode);
        Assert.True(machine.Systemctl.IsActive(Unit));
    }

    [Fact]
    public async Task SystemctlShow_LoadState_LoadedOrNotFoundExit0()
    {
        using var machine = new FakeRunnerMachine(_gitHub);

        var loaded = await FakeProcess.RunAsync(machine, "systemctl", ["show", "-p", "LoadState", "--value", Unit]);
        var missing = await FakeProcess.RunAsync(machine, "systemctl", ["show", "--property=LoadState", "other.service"]);

        Assert.Equal((0, "loaded"), (loaded.ExitCode, loaded.Output.Trim()));
        Assert.Equal((0, "LoadState=not-found"), (missing.ExitCode, missing.Output.Trim()));
    }

    [Fact]
    public async Task Pkcheck_MalformedOrMissingProcess_ExitsAsPkcheckDoes()
    {
        using var machine = new FakeRunnerMachine(_gitHub);
        machine.Pkcheck.Allow("stop", Unit);

        var noSubject = await FakeProcess.RunAsync(machine, "pkcheck", ["--action-id", FakePkcheck.ManageUnits]);
        var badProcess = await FakeProcess.RunAsync(machine, "pkcheck", ["--action-id", FakePkcheck.ManageUnits, "--process", "me"]);
        var wrongStart = await FakeProcess.RunAsync(machine, "pkcheck", ["--action-id", FakePkcheck.ManageUnits, "--process", $"{Environment.ProcessId},1", "--detail", "unit", Unit, "--detail", "verb", "stop"]);
        var allowed = await FakeProcess.RunAsync(machine, "pkcheck", ["--action-id", FakePkcheck.ManageUnits, "--process", ProcessIdentity.Current().PolkitProcess, "--detail", "unit", Unit, "--detail", "verb", "stop"]);
        var notAllowed = await FakeProcess.RunAsync(machine, "pkcheck", ["--action-id", FakePkcheck.ManageUnits, "--process", $"{Environment.ProcessId}", "--detail", "unit", Unit, "--detail", "verb", "start"]);

        Assert.Equal(126, noSubject.ExitCode);
        Assert.Equal(126, badProcess.ExitCode);
        Assert.Equal(127, wrongStart.ExitCode);
        Assert.Equal(0, allowed.ExitCode);
        Assert.Equal(2, notAllowed.ExitCode);
    }
}
