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
}
