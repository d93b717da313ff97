using Microsoft.Extensions.Logging;
using RunnerTokens.TestKit.Runner;

namespace RunnerTokens.Systemd.Tests.Reconfiguration;

/// <summary>A failure or a cancellation at any step is repaired by that step's rule, the same as after a crash.</summary>
public sealed partial class SystemdReconfigurerTests
{
    public static TheoryData<string> FailuresBeforeANewRegistration => new()
    {
        "stop", "stop-never-inactive", "remove", "remove-partway", "configure", "configure-partway", "configure-exit-0-without-runner-file",
    };

    [Theory]
    [MemberData(nameof(FailuresBeforeANewRegistration))]
    public async Task ReconfigureAsync_FailsBeforeANewRegistration_RestoresEveryFileByteForByteAndStartsUnit(string failure)
    {
        using var sut = new SystemdHarness(new RunnerLayout { Migrated = true }, o =>
        {
            o.StopTimeout = TimeSpan.FromSeconds(10);
            o.RollbackTimeout = SystemdHarness.DrivenClockRollbackTimeout;
        });
        var before = sut.Machine.Runner.Snapshot();
        sut.InstallServiceScript();
        var environmentBefore = sut.ServiceEnvironment();
        var (step, toolText) = Arrange(sut, failure);

        var task = sut.ReconfigureAsync();
        if (failure == "stop-never-inactive")
        {
            await sut.DriveClockUntilDoneAsync(task, UnitController.PollInterval);
        }

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(() => task);

        Assert.Contains($"step '{step}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(toolText, ex.Message, StringComparison.Ordinal);
        Assert.Contains("old registration files were restored", ex.Message, StringComparison.Ordinal);
        AssertSameFiles(before, sut.Machine.Runner.Snapshot());
        AssertSameFiles(environmentBefore, sut.ServiceEnvironment());
        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
        Assert.Equal($"systemctl is-active {sut.Unit}", sut.Machine.Sequence[^1]);
        Assert.Equal(42, sut.Listed()?.Id);
        Assert.False(File.Exists(sut.JournalPath));
        Assert.DoesNotContain(sut.RegistrationToken, sut.EverythingVisible(ex), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReconfigureAsync_ConfigureExitsZeroWithoutRunnerFile_IsAFailureNotASuccess()
    {
        using var sut = new SystemdHarness();
        var before = sut.Machine.Runner.Snapshot();
        sut.ConfigureExitsZeroWithoutRegistering();

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(() => sut.ReconfigureAsync());

        Assert.Contains("step 'configure'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("exited with code 0", ex.Message, StringComparison.Ordinal);
        Assert.Contains("left no complete registration", ex.Message, StringComparison.Ordinal);
        Assert.Contains(".runner", ex.Message, StringComparison.Ordinal);
        AssertSameFiles(before, sut.Machine.Runner.Snapshot());
        Assert.Equal([$"systemctl start {sut.Unit}", $"systemctl is-active {sut.Unit}"], sut.Machine.Sequence.TakeLast(2));
    }

    [Fact]
    public async Task ReconfigureAsync_ConfigureExitsZeroWithEmptyCredentials_IsAFailureAndTheOldFilesAreBack()
    {
        using var sut = new SystemdHarness();
        var before = sut.Machine.Runner.Snapshot();
        sut.ConfigureExitsZeroWithBrokenRegistration();

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(() => sut.ReconfigureAsync());

        Assert.Contains("step 'configure'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("left no complete registration: .credentials is not readable JSON", ex.Message, StringComparison.Ordinal);
        Assert.Contains("old registration files were restored", ex.Message, StringComparison.Ordinal);
        AssertSameFiles(before, sut.Machine.Runner.Snapshot());
        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
        Assert.False(File.Exists(sut.JournalPath));
    }

    [Fact]
    public async Task ReconfigureAsync_StartFailsOnceAndTheRepairStartsIt_SucceedsWithOneConfigureAndSaysSo()
    {
        // Issue 10: a start failure that the repair already fixed used to fail the attempt, and the engine then re-registered
        // a runner that was working (a second stop/remove/configure). Now the repair's start is checked like the first one.
        using var sut = new SystemdHarness();
        sut.InstallServiceScript();
        var environmentBefore = sut.ServiceEnvironment();
        sut.Machine.Systemctl.Fail("start", "Failed to start unit: Connection timed out", once: true);

        await sut.ReconfigureAsync();

        AssertNewRegistration(sut);
        AssertSameFiles(environmentBefore, sut.ServiceEnvironment());
        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
        Assert.False(File.Exists(sut.JournalPath));
        Assert.Single(sut.Machine.Runner.ConfigSh.Calls, call => call.Command == "configure");
        var fixedLine = Assert.Single(sut.Logs.GetSnapshot(), r => r.Id.Id == 416);
        Assert.Contains("step start failed (`systemctl start", fixedLine.Message, StringComparison.Ordinal);
        Assert.Contains("Connection timed out", fixedLine.Message, StringComparison.Ordinal);
        Assert.Contains("listens for jobs", fixedLine.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReconfigureAsync_StartFailsAlways_FailsTransientWithBothStartsAndKeepsTheNewRegistration()
    {
        using var sut = new SystemdHarness();
        sut.InstallServiceScript();
        sut.Machine.Systemctl.Fail("start", "Failed to start unit: Connection timed out");

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(() => sut.ReconfigureAsync());

        Assert.Equal(RefreshFailureKind.Transient, ex.Kind);
        Assert.Contains("step 'start'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("could not be started again", ex.Message, StringComparison.Ordinal);
        Assert.Contains("new registration is kept", ex.Message, StringComparison.Ordinal);
        AssertNewRegistration(sut);
        Assert.DoesNotContain(sut.Logs.GetSnapshot(), r => r.Id.Id == 416);
    }

    [Fact]
    public async Task ReconfigureAsync_ListenerGivesUpAfterStart_FailsAtOnceWithItsLineAndKeepsNewRegistration()
    {
        using var sut = new SystemdHarness();
        sut.InstallServiceScript();
        var environmentBefore = sut.ServiceEnvironment();
        sut.DeleteRunnerOnGitHubAtEachStart();

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(() => sut.ReconfigureAsync());

        Assert.Contains("step 'listen'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("the listener gave up", ex.Message, StringComparison.Ordinal);
        Assert.Contains("WRITE ERROR: Failed to create a session. The runner registration has been deleted from the server", ex.Message, StringComparison.Ordinal);
        Assert.Contains("new registration is kept", ex.Message, StringComparison.Ordinal);
        Assert.Equal("42", sut.Machine.Runner.ReadRunnerProperty("agentId"));
        Assert.NotEqual(sut.InitialKeyModulus, sut.Machine.Runner.ReadKeyModulus());
        AssertSameFiles(environmentBefore, sut.ServiceEnvironment());
        Assert.EndsWith($"start {sut.Unit}", sut.Machine.Sequence[^2], StringComparison.Ordinal);
        Assert.False(File.Exists(sut.JournalPath));
    }

    [Fact]
    public async Task ListenStep_UnitInactiveWithoutTerminalLine_FailsWithListenersLastErrorMasked()
    {
        const string Pat = "ghp_InAnExceptionMessage0123456789abcdef";
        using var sut = new SystemdHarness();
        var step = sut.Get<ReconfigurationSequence>().Steps.OfType<WaitUntilListeningStep>().Single();
        var run = sut.NewRun();
        run.Masker.Add(sut.RegistrationToken);
        run.LogsBeforeStart = sut.Get<DiagLogReader>().Snapshot(sut.Runner.Directory);
        var at = sut.Time.GetUtcNow();
        sut.Machine.Runner.WriteDiagLog(at.AddHours(1), [
            FakeRunnerDirectory.DiagLine(at, "Command 'run': 'True'"),
            FakeRunnerDirectory.DiagLine(at, $"WRITE ERROR: An error occurred: token {sut.RegistrationToken} and {Pat} were refused", "ERR"),
        ]);
        sut.Machine.Systemctl.Install(sut.Unit, active: false);

        var ex = await Assert.ThrowsAsync<StepFailedException>(() => step.RunAsync(run, default));

        Assert.Contains($"{sut.Unit} is inactive: the listener exited before it listened for jobs; the listener's last error: [", ex.Message, StringComparison.Ordinal);
        Assert.Contains("An error occurred: token *** and *** were refused", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Pat, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReconfigureAsync_ListenerNeverListens_FailsAfterListenTimeout()
    {
        using var sut = new SystemdHarness(configure: o =>
        {
            o.ListenTimeout = TimeSpan.FromSeconds(5);
            o.RollbackTimeout = SystemdHarness.DrivenClockRollbackTimeout;
        });
        sut.ListenerStaysSilent();

        var task = sut.ReconfigureAsync();
        await sut.DriveClockUntilDoneAsync(task, WaitUntilListeningStep.PollInterval);

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(() => task);
        Assert.Contains("step 'listen'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("did not log \"Listening for Jobs\" within 5 s of the start (Systemd:ListenTimeout; no new runner log appeared in _diag)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("the listener logged no error", ex.Message, StringComparison.Ordinal);
        AssertNewRegistration(sut);
        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
    }

    [Fact]
    public async Task ReconfigureAsync_ListeningOnlyInLogsFromBeforeTheStart_DoesNotCount()
    {
        // The old listener's log and config.sh's own logs are older than the start: only a new listener's word counts.
        using var sut = new SystemdHarness(configure: o =>
        {
            o.ListenTimeout = TimeSpan.FromSeconds(3);
            o.RollbackTimeout = SystemdHarness.DrivenClockRollbackTimeout;
        });
        var at = sut.Time.GetUtcNow();
        sut.Machine.Runner.WriteDiagLog(at, [FakeRunnerDirectory.DiagLine(at, "Command 'run': 'True'"), FakeRunnerDirectory.DiagLine(at, "WRITE LINE: Listening for Jobs")], DateTimeOffset.UtcNow.AddHours(1));
        sut.ListenerStaysSilent();

        var task = sut.ReconfigureAsync();
        await sut.DriveClockUntilDoneAsync(task, WaitUntilListeningStep.PollInterval);

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(() => task);
        Assert.Contains("step 'listen'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReconfigureAsync_UnitFailsRightAfterStart_ReportsStateAndKeepsJournalForTheNextCheck()
    {
        using var sut = new SystemdHarness();
        sut.Machine.Systemctl.FailAfterStart();

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(() => sut.ReconfigureAsync());

        Assert.Contains("step 'start'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("the unit is failed", ex.Message, StringComparison.Ordinal);
        Assert.Contains("the repair failed too", ex.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(sut.JournalPath));
        Assert.True(IsLogged(sut, LogLevel.Error, "the repair failed too"));
    }

    [Theory]
    [InlineData("stop")]
    [InlineData("remove")]
    [InlineData("configure")]
    public async Task ReconfigureAsync_CancelledBeforeANewRegistration_RestoresAndRethrows(string step)
    {
        using var sut = new SystemdHarness();
        var before = sut.Machine.Runner.Snapshot();
        sut.InstallServiceScript();
        var environmentBefore = sut.ServiceEnvironment();
        Func<bool> started;
        if (step == "stop")
        {
            sut.Machine.Systemctl.Hang("stop");
            started = () => sut.Machine.Systemctl.Calls.Count > 0;
        }
        else
        {
            sut.Machine.Runner.ConfigSh.Hang(step);
            started = () => sut.Machine.Runner.ConfigSh.Calls.Any(c => c.Command == step);
        }

        using var cancellation = new CancellationTokenSource();

        var task = sut.ReconfigureAsync(cancellation.Token);
        await WaitForAsync(started);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        AssertSameFiles(before, sut.Machine.Runner.Snapshot());
        AssertSameFiles(environmentBefore, sut.ServiceEnvironment());
        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
        Assert.Equal($"systemctl start {sut.Unit}", sut.Machine.Sequence[^2]);
        Assert.False(File.Exists(sut.JournalPath));
        Assert.True(IsLogged(sut, LogLevel.Warning, $"cancelled at step {step}"));
    }

    [Fact]
    public async Task ReconfigureAsync_CancelledWhileWaitingForTheListener_KeepsNewRegistration()
    {
        using var sut = new SystemdHarness();
        sut.ListenerStaysSilent();
        using var cancellation = new CancellationTokenSource();

        var task = sut.ReconfigureAsync(cancellation.Token);
        await WaitForAsync(() => sut.Machine.Systemctl.Calls.Count(c => c.StartsWith("is-active", StringComparison.Ordinal)) >= 3);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        AssertNewRegistration(sut);
        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
        Assert.False(File.Exists(sut.JournalPath));
        Assert.True(IsLogged(sut, LogLevel.Warning, "cancelled at step listen"));
    }

    [Fact]
    public async Task ReconfigureAsync_ConfigShHangsPastTimeout_KilledAndRestored()
    {
        using var sut = new SystemdHarness(configure: o => o.ConfigTimeout = TimeSpan.FromSeconds(30));
        var before = sut.Machine.Runner.Snapshot();
        sut.Machine.Runner.ConfigSh.Hang("configure");

        var task = sut.ReconfigureAsync();
        await WaitForAsync(() => sut.Machine.Runner.ConfigSh.Calls.Any(c => c.Command == "configure"));
        sut.Time.Advance(TimeSpan.FromSeconds(30));

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(() => task);
        Assert.Contains("did not finish within 30 s", ex.Message, StringComparison.Ordinal);
        AssertSameFiles(before, sut.Machine.Runner.Snapshot());
        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
    }

    private static (string Step, string ToolText) Arrange(SystemdHarness sut, string failure)
    {
        switch (failure)
        {
            case "stop":
                sut.Machine.Systemctl.Fail("stop", "Failed to stop unit: Access denied");
                return ("stop", "Access denied");
            case "stop-never-inactive":
                sut.Machine.Systemctl.StayActiveOnStop();
                return ("stop", "still active");
            case "remove":
                sut.Machine.Runner.ConfigSh.Fail("remove", "Failed to remove: disk full");
                return ("remove", "disk full");
            case "remove-partway":
                sut.Machine.Runner.ConfigSh.FailRemovePartway();
                return ("remove", "I/O error");
            case "configure":
                sut.Machine.Runner.ConfigSh.Fail("configure", "Could not find any self-hosted runner group named \"Default\".");
                return ("configure", "Could not find any self-hosted runner group");
            case "configure-partway":
                sut.Machine.Runner.ConfigSh.FailConfigurePartway();
                return ("configure", "InternalServerError");
            default:
                sut.ConfigureExitsZeroWithoutRegistering();
                return ("configure", "left no complete registration: .runner, .credentials, .credentials_rsaparams missing");
        }
    }

    /// <summary>The registration config.sh wrote is in place and is the one GitHub knows: the same id (--replace), a new key.</summary>
    private static void AssertNewRegistration(SystemdHarness sut)
    {
        Assert.Equal("42", sut.Machine.Runner.ReadRunnerProperty("agentId"));
        Assert.NotEqual(sut.InitialKeyModulus, sut.Machine.Runner.ReadKeyModulus());
        Assert.Equal(sut.Listed()?.PublicKeyModulus, sut.Machine.Runner.ReadKeyModulus());
    }
}
