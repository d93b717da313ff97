using System.Diagnostics;
using RunnerTokens.TestKit.Runner;

namespace RunnerTokens.Systemd.Tests.TestKit;

/// <summary>The fakes behave like the real config.sh and systemctl where the tests rely on it.</summary>
public sealed class FakeRunnerMachineTests
{
    [Fact]
    public void Create_RegisteredRunner_LaidOutAsTheRealRunner()
    {
        using var machine = new FakeRunnerMachine(new RunnerLayout { Migrated = true });

        Assert.Equal([0xEF, 0xBB, 0xBF], File.ReadAllBytes(machine.Runner.File(".runner"))[..3]);
        Assert.Equal([0xEF, 0xBB, 0xBF], File.ReadAllBytes(machine.Runner.File(".credentials"))[..3]);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(machine.Runner.File(".credentials_rsaparams")));
        Assert.Equal("actions.runner.my-org.runner-1.service\n", File.ReadAllText(machine.Runner.ServiceFile));
        Assert.Equal("runner-1", machine.Runner.ReadRunnerProperty("agentName"));
        Assert.Equal(6, machine.Runner.Snapshot().Count);
        Assert.True(machine.Systemctl.IsActive("actions.runner.my-org.runner-1.service"));
    }

    [Fact]
    public async Task ConfigSh_RemoveWhileServiceExists_RefusesLikeTheRealOne()
    {
        using var machine = new FakeRunnerMachine();

        var (exitCode, output) = await RunAsync(machine, machine.Runner.ConfigSh.ScriptPath, ["remove", "--local"]);

        Assert.Equal(1, exitCode);
        Assert.Contains("Uninstall service first", output, StringComparison.Ordinal);
        Assert.True(File.Exists(machine.Runner.File(".runner")));
    }

    [Fact]
    public async Task ConfigSh_ConfigureWhenConfigured_RefusesLikeTheRealOne()
    {
        using var machine = new FakeRunnerMachine();

        var (exitCode, output) = await RunAsync(machine, machine.Runner.ConfigSh.ScriptPath, ["--unattended", "--url", "https://github.com/my-org", "--name", "runner-1"], token: "T");

        Assert.Equal(1, exitCode);
        Assert.Contains("Cannot configure the runner because it is already configured", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigSh_RemoveThenConfigure_DeletesAndWritesRegistrationWithBom()
    {
        using var machine = new FakeRunnerMachine(new RunnerLayout { Unit = null, Migrated = true });

        var remove = await RunAsync(machine, machine.Runner.ConfigSh.ScriptPath, ["remove"], token: "REMOVE");
        var removed = machine.Runner.Snapshot();
        var configure = await RunAsync(machine, machine.Runner.ConfigSh.ScriptPath, ["--unattended", "--url", "https://github.com/my-org", "--name", "runner-1", "--work", "w"], token: "REG");

        Assert.Equal(0, remove.ExitCode);
        Assert.Empty(removed);
        Assert.Equal(0, configure.ExitCode);
        Assert.Equal([0xEF, 0xBB, 0xBF], File.ReadAllBytes(machine.Runner.File(".runner"))[..3]);
        Assert.Equal("w", machine.Runner.ReadRunnerProperty("workFolder"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(machine.Runner.File(".credentials_rsaparams")));
        Assert.Equal([("REMOVE", true), ("REG", true)], machine.Runner.ConfigSh.Calls.Select(c => (c.Token, c.TokenFromEnvironment)));
    }

    [Fact]
    public async Task ConfigSh_RemoveLocalThenReplace_KeepsTheIdWhileAnotherNameGetsANewOne()
    {
        using var machine = new FakeRunnerMachine(new RunnerLayout { Unit = null });
        string[] configure = ["--unattended", "--url", "https://github.com/my-org", "--replace", "--name"];

        await RunAsync(machine, machine.Runner.ConfigSh.ScriptPath, ["remove", "--local"]);
        var replaced = await RunAsync(machine, machine.Runner.ConfigSh.ScriptPath, [.. configure, "runner-1"], token: "REG");
        var keptId = machine.Runner.ReadRunnerProperty("agentId");
        await RunAsync(machine, machine.Runner.ConfigSh.ScriptPath, ["remove", "--local"]);
        await RunAsync(machine, machine.Runner.ConfigSh.ScriptPath, [.. configure, "runner-2"], token: "REG");

        Assert.Equal(0, replaced.ExitCode);
        Assert.Equal("42", keptId);
        Assert.Equal("100", machine.Runner.ReadRunnerProperty("agentId"));
        Assert.Equal(new Dictionary<string, int> { ["runner-1"] = 42, ["runner-2"] = 100 }, machine.Runner.ConfigSh.ServerRunners);
    }

    [Fact]
    public async Task ConfigSh_EveryRun_RewritesPathAndEnvLikeEnvShAndConfigureRegeneratesSvcSh()
    {
        using var machine = new FakeRunnerMachine(new RunnerLayout { Unit = null });
        var before = machine.Runner.ServiceEnvironmentSnapshot();

        await RunAsync(machine, machine.Runner.ConfigSh.ScriptPath, ["remove", "--local"], variables: new() { ["JAVA_HOME"] = "/opt/jdk" });
        var afterRemove = machine.Runner.ServiceEnvironmentSnapshot();
        await RunAsync(machine, machine.Runner.ConfigSh.ScriptPath, ["--unattended", "--url", "https://github.com/my-org", "--name", "runner-1", "--replace"], token: "REG");

        Assert.Equal(machine.PathVariable + "\n", File.ReadAllText(machine.Runner.File(".path")));
        Assert.Equal("LANG=C.UTF-8\nJAVA_HOME=/opt/jdk\n", File.ReadAllText(machine.Runner.File(".env")));
        Assert.Equal(before["svc.sh"], afterRemove["svc.sh"]);
        Assert.NotEqual(before["svc.sh"], File.ReadAllBytes(machine.Runner.File("svc.sh")));
        Assert.Equal(2, Directory.GetFiles(machine.Runner.DiagDirectory, "Runner_*.log").Length);
        Assert.All(
            Directory.GetFiles(machine.Runner.DiagDirectory, "Runner_*.log").Select(File.ReadAllText),
            log => Assert.Matches("Command '(configure|remove)': 'True'", log));
    }

    [Fact]
    public async Task Systemctl_Start_WritesAListenerLogThatListensOrDies()
    {
        using var machine = new FakeRunnerMachine();
        const string Unit = "actions.runner.my-org.runner-1.service";

        await RunAsync(machine, "systemctl", ["start", Unit]);
        machine.Systemctl.ListenerDies("Failed to create session. Access denied");
        await RunAsync(machine, "systemctl", ["start", Unit]);
        var rightAfterStart = await RunAsync(machine, "systemctl", ["is-active", Unit]);
        var later = await RunAsync(machine, "systemctl", ["is-active", Unit]);

        var logs = Directory.GetFiles(machine.Runner.DiagDirectory, "Runner_*.log").Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList();
        Assert.Equal(2, logs.Count);
        Assert.Contains("Command 'run': 'True'", logs[0], StringComparison.Ordinal);
        Assert.Contains("WRITE LINE: ", logs[0], StringComparison.Ordinal);
        Assert.Contains("Listening for Jobs", logs[0], StringComparison.Ordinal);
        Assert.Contains("ERR  Terminal] WRITE ERROR: Failed to create session. Access denied", logs[1], StringComparison.Ordinal);
        Assert.Equal("active", rightAfterStart.Output.Trim());
        Assert.Equal("inactive", later.Output.Trim());
    }

    [Fact]
    public async Task ConfigSh_AsRootWithoutPermission_RefusesLikeTheRealOne()
    {
        using var machine = new FakeRunnerMachine(new RunnerLayout { Unit = null });
        machine.Runner.ConfigSh.PretendUid(0);

        var (exitCode, output) = await RunAsync(machine, machine.Runner.ConfigSh.ScriptPath, ["remove", "--local"]);

        Assert.Equal(1, exitCode);
        Assert.Contains("Must not run with sudo", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Systemctl_StopStartIsActive_TracksStatePerUnitAndScope()
    {
        using var machine = new FakeRunnerMachine();
        const string Unit = "actions.runner.my-org.runner-1.service";
        machine.Systemctl.Install("other.service", active: true, user: true);

        var stop = await RunAsync(machine, "systemctl", ["stop", Unit]);
        var isActive = await RunAsync(machine, "systemctl", ["is-active", Unit]);
        var userActive = await RunAsync(machine, "systemctl", ["--user", "is-active", "other.service"]);
        var missing = await RunAsync(machine, "systemctl", ["start", "missing.service"]);

        Assert.Equal(0, stop.ExitCode);
        Assert.Equal((3, "inactive"), (isActive.ExitCode, isActive.Output.Trim()));
        Assert.Equal((0, "active"), (userActive.ExitCode, userActive.Output.Trim()));
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Equal([$"stop {Unit}", $"is-active {Unit}", "--user is-active other.service", "start missing.service"], machine.Systemctl.Calls);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(FakeRunnerMachine machine, string program, string[] arguments, string? token = null, Dictionary<string, string>? variables = null)
    {
        var start = new ProcessStartInfo(program.Contains('/', StringComparison.Ordinal) ? program : Path.Combine(machine.BinDirectory, program))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = machine.Runner.Path,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PATH"] = machine.PathVariable;
        start.Environment["RUNNER_ALLOW_RUNASROOT"] = Environment.IsPrivilegedProcess && !File.Exists(Path.Combine(machine.Runner.ConfigSh.ControlDirectory, "uid")) ? "1" : null;
        if (token is not null)
        {
            start.Environment["ACTIONS_RUNNER_INPUT_TOKEN"] = token;
        }

        foreach (var (name, value) in variables ?? [])
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }
}
