using RunnerTokens.TestKit.Runner;

namespace RunnerTokens.Systemd.Tests.Reconfiguration;

/// <summary>Faults of the machine itself (an unwritable runner folder, a lost backup): the runner is never left stopped.</summary>
public sealed partial class SystemdReconfigurerTests
{
    [Fact]
    public async Task ReconfigureAsync_RunnerFolderReadOnly_FailsAtServiceAsideAndTheUnitRunsAgainWithFilesUntouched()
    {
        // arrange
        using var sut = new SystemdHarness();
        sut.InstallServiceScript();
        var before = sut.Machine.Runner.Snapshot();
        var environmentBefore = sut.ServiceEnvironment();
        var runner = sut.Machine.Runner;
        using var readOnly = ImmutableFiles.TryCreate([runner.Path, .. FakeRunnerDirectory.RegistrationFiles.Concat(RunnerFiles.ServiceEnvironment).Select(runner.File).Where(File.Exists)]);
        if (readOnly is null)
        {
            return; // needs root and chattr on this file system
        }

        // act
        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(() => sut.ReconfigureAsync());
        readOnly.Dispose();

        // assert
        Assert.Contains("step 'service-aside'", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("the repair failed too", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"{sut.Unit} is started again", ex.Message, StringComparison.Ordinal);
        AssertSameFiles(before, runner.Snapshot());
        AssertSameFiles(environmentBefore, sut.ServiceEnvironment());
        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
        Assert.Equal($"systemctl start {sut.Unit}", sut.Machine.Sequence[^2]);
        Assert.False(File.Exists(sut.JournalPath));
    }

    [Fact]
    public async Task ReconfigureAsync_CancelledAfterConfigShRegistered_KeepsTheNewRegistrationAsACrashWould()
    {
        // arrange: config.sh wrote a complete registration (GitHub replaced the old one), then SIGTERM arrives
        using var sut = new SystemdHarness();
        sut.InstallServiceScript();
        var environmentBefore = sut.ServiceEnvironment();
        sut.Machine.Runner.ConfigSh.HangAfterConfigure();
        using var cancellation = new CancellationTokenSource();

        // act
        var task = sut.ReconfigureAsync(cancellation.Token);
        await WaitForAsync(() => sut.Machine.Runner.ConfigSh.Configured);
        await cancellation.CancelAsync();

        // assert: the credentials GitHub knows now are the ones in place, and the runner runs with them
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        AssertNewRegistration(sut);
        AssertSameFiles(environmentBefore, sut.ServiceEnvironment());
        Assert.True(File.Exists(sut.Machine.Runner.ServiceFile));
        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
        Assert.False(File.Exists(sut.JournalPath));
        Assert.True(IsLogged(sut, Microsoft.Extensions.Logging.LogLevel.Warning, "the new registration is kept"));
    }

    [Fact]
    public async Task ReconfigureAsync_ConfigShTimesOutAfterItRegistered_KeepsTheNewRegistrationAndSucceedsOnceItListens()
    {
        using var sut = new SystemdHarness(configure: o => o.ConfigTimeout = TimeSpan.FromSeconds(30));
        sut.Machine.Runner.ConfigSh.HangAfterConfigure();

        var task = sut.ReconfigureAsync();
        await WaitForAsync(() => sut.Machine.Runner.ConfigSh.Configured);
        sut.Time.Advance(TimeSpan.FromSeconds(30));

        // config.sh had written a complete registration (and --replace had replaced the old one on GitHub): the repair
        // keeps it and starts the unit, and once the listener says it listens, the refresh is done, not retried.
        await task;
        AssertNewRegistration(sut);
        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
        Assert.False(File.Exists(sut.JournalPath));
        var fixedLine = Assert.Single(sut.Logs.GetSnapshot(), r => r.Id.Id == 416);
        Assert.Contains("step configure failed", fixedLine.Message, StringComparison.Ordinal);
        Assert.Contains("did not finish within 30 s", fixedLine.Message, StringComparison.Ordinal);
        Assert.Contains("the new registration is kept", fixedLine.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sshd.service")]
    [InlineData("actions.runner.my-org.runner 1.service")]
    [InlineData("--host=attacker.example")]
    [InlineData("actions.runner.my-org/../../sshd.service")]
    public async Task ReconfigureAsync_DotServiceNamesAnotherUnit_FailsNamingTheFileAndValueAndStopsNothing(string content)
    {
        using var sut = new SystemdHarness();
        var before = sut.Machine.Runner.Snapshot();
        File.WriteAllText(sut.Machine.Runner.ServiceFile, content + "\n");

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(() => sut.ReconfigureAsync());

        Assert.Contains(sut.Machine.Runner.ServiceFile, ex.Message, StringComparison.Ordinal);
        Assert.Contains($"'{content}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("actions.runner.*.service", ex.Message, StringComparison.Ordinal);
        Assert.Empty(sut.Machine.Sequence);
        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
        Assert.Equal(before.Where(f => f.Key != ".service"), sut.Machine.Runner.Snapshot().Where(f => f.Key != ".service"));
        Assert.False(File.Exists(sut.JournalPath));
    }

    [Fact]
    public async Task ReconfigureAsync_UnitOutsideThePatternConfiguredExplicitly_IsUsed()
    {
        const string Unit = "github-runner-1.service";
        using var sut = new SystemdHarness(configure: o => o.Units["runner-1"] = Unit);
        sut.Machine.Systemctl.Install(Unit, active: true, runnerDirectory: sut.Machine.Runner.Path);

        await sut.ReconfigureAsync();

        Assert.Equal($"systemctl stop {Unit}", sut.Machine.Sequence[0]);
        Assert.True(sut.Machine.Systemctl.IsActive(Unit));
    }
}
