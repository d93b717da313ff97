using RunnerTokens.TestKit.GitHub;
using RunnerTokens.TestKit.Runner;

namespace RunnerTokens.Systemd.Tests.TestKit;

/// <summary>The fake machine is laid out as the real runner leaves it, and the fake GitHub agrees with it from the start.</summary>
public sealed class FakeRunnerMachineTests
{
    [Fact]
    public async Task Create_RegisteredRunner_LaidOutAsTheRealRunner()
    {
        await using var gitHub = await FakeGitHubApi.StartAsync();
        using var machine = new FakeRunnerMachine(gitHub, new RunnerLayout { Migrated = true });

        Assert.Equal([0xEF, 0xBB, 0xBF], File.ReadAllBytes(machine.Runner.File(".runner"))[..3]);
        Assert.Equal([0xEF, 0xBB, 0xBF], File.ReadAllBytes(machine.Runner.File(".credentials"))[..3]);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(machine.Runner.File(".credentials_rsaparams")));
        Assert.Equal("actions.runner.my-org.runner-1.service\n", File.ReadAllText(machine.Runner.ServiceFile));
        Assert.Equal("runner-1", machine.Runner.ReadRunnerProperty("agentName"));
        Assert.Equal("true", machine.Runner.ReadRunnerProperty("useRunnerAdminFlow"));
        Assert.Null(machine.Runner.ReadRunnerProperty("disableUpdate"));
        Assert.Equal(6, machine.Runner.Snapshot().Count);
        Assert.True(machine.Systemctl.IsActive("actions.runner.my-org.runner-1.service"));
    }

    [Fact]
    public async Task Create_Layout_RegistersTheSameRunnerOnGitHub()
    {
        await using var gitHub = await FakeGitHubApi.StartAsync();
        var layout = new RunnerLayout
        {
            AgentId = 77,
            Name = "gpu-1",
            PoolName = "linux-x64",
            Labels = ["gpu", "large"],
            NoDefaultLabels = true,
            DisableUpdate = true,
            Ephemeral = true,
            MonitorSocketAddress = "127.0.0.1:9999",
        };

        using var machine = new FakeRunnerMachine(gitHub, layout);

        var runner = Assert.Single(gitHub.RunnersIn("orgs/my-org"));
        Assert.Equal((77L, "gpu-1"), (runner.Id, runner.Name));
        Assert.Equal(gitHub.AddRunnerGroup("orgs/my-org", "linux-x64"), runner.RunnerGroupId);
        Assert.NotEqual(1, runner.RunnerGroupId);
        Assert.Equal(runner.RunnerGroupId.ToString(System.Globalization.CultureInfo.InvariantCulture), machine.Runner.ReadRunnerProperty("poolId"));
        Assert.Equal(["gpu", "large"], runner.Labels);
        Assert.False(runner.DefaultLabels);
        Assert.True(runner.DisableUpdate && runner.Ephemeral);
        Assert.Equal(machine.Runner.ReadKeyModulus(), runner.PublicKeyModulus);
        Assert.Equal("true", machine.Runner.ReadRunnerProperty("disableUpdate"));
        Assert.Equal("127.0.0.1:9999", machine.Runner.ReadRunnerProperty("monitorSocketAddress"));
        Assert.Same(runner, machine.RegisteredRunner);
    }

    [Fact]
    public async Task Create_UnconfiguredLayout_RegistersNothingButTheScope()
    {
        await using var gitHub = await FakeGitHubApi.StartAsync();

        using var machine = new FakeRunnerMachine(gitHub, new RunnerLayout { Configured = false, Unit = null });

        Assert.Empty(gitHub.RunnersIn("orgs/my-org"));
        Assert.Empty(machine.Runner.Snapshot());
    }

    [Fact]
    public void Create_NullGitHub_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new FakeRunnerMachine(null!));
    }

    [Fact]
    public async Task Systemctl_StopStartIsActive_TracksStatePerUnitAndScope()
    {
        await using var gitHub = await FakeGitHubApi.StartAsync();
        using var machine = new FakeRunnerMachine(gitHub);
        const string Unit = "actions.runner.my-org.runner-1.service";
        machine.Systemctl.Install("other.service", active: true, user: true);

        var stop = await FakeProcess.RunAsync(machine, "systemctl", ["stop", Unit]);
        var isActive = await FakeProcess.RunAsync(machine, "systemctl", ["is-active", Unit]);
        var userActive = await FakeProcess.RunAsync(machine, "systemctl", ["--user", "is-active", "other.service"]);
        var missing = await FakeProcess.RunAsync(machine, "systemctl", ["start", "missing.service"]);

        Assert.Equal(0, stop.ExitCode);
        Assert.Equal((3, "inactive"), (isActive.ExitCode, isActive.Output.Trim()));
        Assert.Equal((0, "active"), (userActive.ExitCode, userActive.Output.Trim()));
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Equal([$"stop {Unit}", $"is-active {Unit}", "--user is-active other.service", "start missing.service"], machine.Systemctl.Calls);
    }
}
