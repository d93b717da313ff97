using Microsoft.Extensions.Logging;
using NSubstitute;
using RunnerTokens.TestKit.Runner;

namespace RunnerTokens.Systemd.Tests.Reconfiguration;

public sealed partial class SystemdReconfigurerTests
{
    [Fact]
    public async Task ReconfigureAsync_ServiceRunner_StopsRemovesConfiguresStartsInOrder()
    {
        using var sut = new SystemdHarness();
        var unit = sut.Unit;

        await sut.ReconfigureAsync();

        Assert.Equal(
            [
                $"systemctl stop {unit}",
                $"systemctl is-active {unit}",
                "config.sh remove",
                "config.sh --unattended --url https://github.com/my-org --name runner-1 --replace --labels linux,gpu --runnergroup Default --work _work",
                $"systemctl start {unit}",
                $"systemctl is-active {unit}",
            ],
            sut.Machine.Sequence);
    }

    [Fact]
    public async Task ReconfigureAsync_ServiceRunner_LeavesRunnerRegisteredAnewAndRunning()
    {
        using var sut = new SystemdHarness();
        var serviceBefore = File.ReadAllBytes(sut.Machine.Runner.ServiceFile);

        await sut.ReconfigureAsync();

        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
        Assert.Equal("100", sut.Machine.Runner.ReadRunnerProperty("agentId"));
        Assert.Equal("runner-1", sut.Machine.Runner.ReadRunnerProperty("agentName"));
        Assert.Equal(serviceBefore, File.ReadAllBytes(sut.Machine.Runner.ServiceFile));
        Assert.False(File.Exists(sut.Machine.Runner.File(RunnerFiles.ServiceAside)));
        Assert.False(File.Exists(sut.JournalPath));
        Assert.False(Directory.Exists(sut.BackupPath));
    }

    [Fact]
    public async Task ReconfigureAsync_Tokens_ReachConfigShOnlyThroughTheEnvironment()
    {
        using var sut = new SystemdHarness();

        await sut.ReconfigureAsync();

        var calls = sut.Machine.Runner.ConfigSh.Calls;
        Assert.Equal(["remove", "configure"], calls.Select(c => c.Command));
        Assert.All(calls, call => Assert.True(call.TokenFromEnvironment, call.CommandLine));
        Assert.Equal(sut.RemoveToken, calls[0].Token);
        Assert.Equal(sut.RegistrationToken, calls[1].Token);
        Assert.All(calls, call => Assert.DoesNotContain("--token", call.Arguments));
        var visible = sut.EverythingVisible();
        Assert.DoesNotContain(sut.RegistrationToken, visible, StringComparison.Ordinal);
        Assert.DoesNotContain(sut.RemoveToken, visible, StringComparison.Ordinal);
        await sut.Issuer.Received(1).CreateRemoveTokenAsync(Arg.Is<RunnerScope>(s => s.Owner == "my-org"), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task ReconfigureAsync_LeakyToolFails_TokenMaskedInExceptionAndLogs()
    {
        using var sut = new SystemdHarness();
        sut.Machine.Runner.ConfigSh.EchoToken();
        sut.Machine.Runner.ConfigSh.Fail("configure", "Http response code: Unauthorized");

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(() => sut.ReconfigureAsync());

        Assert.Contains("using token ***", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(sut.RegistrationToken, sut.EverythingVisible(ex), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReconfigureAsync_ToolPrintsAGitHubToken_MaskedInExceptionAndLogs()
    {
        const string Pat = "ghp_LeakedByAProxyScript0123456789abcdef";
        using var sut = new SystemdHarness();
        sut.Machine.Runner.ConfigSh.Fail("configure", $"Http response code: Unauthorized (GITHUB_TOKEN={Pat})");

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(() => sut.ReconfigureAsync());

        Assert.Contains("Unauthorized (GITHUB_TOKEN=***)", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Pat, sut.EverythingVisible(ex), StringComparison.Ordinal);
    }

    public static TheoryData<string> FailingSteps => new() { "stop", "stop-never-inactive", "remove", "remove-partway", "configure", "configure-partway" };

    [Theory]
    [MemberData(nameof(FailingSteps))]
    public async Task ReconfigureAsync_StepFails_RestoresFilesByteForByteAndUnitRuns(string failure)
    {
        using var sut = new SystemdHarness(new RunnerLayout { Migrated = true }, o => o.StopTimeout = TimeSpan.FromSeconds(10));
        var before = sut.Machine.Runner.Snapshot();
        var (step, toolText) = Arrange(sut, failure);

        var task = sut.ReconfigureAsync();
        if (failure == "stop-never-inactive")
        {
            await DriveClockUntilDoneAsync(sut, task);
        }

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(() => task);

        Assert.Contains($"step '{step}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(toolText, ex.Message, StringComparison.Ordinal);
        AssertSameFiles(before, sut.Machine.Runner.Snapshot());
        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
        Assert.Equal($"systemctl is-active {sut.Unit}", sut.Machine.Sequence[^1]);
        Assert.False(File.Exists(sut.JournalPath));
        Assert.DoesNotContain(sut.RegistrationToken, sut.EverythingVisible(ex), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReconfigureAsync_StartFailsOnce_KeepsNewRegistrationAndStartsAgain()
    {
        using var sut = new SystemdHarness();
        sut.Machine.Systemctl.Fail("start", "Failed to start unit: Connection timed out", once: true);

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(() => sut.ReconfigureAsync());

        Assert.Contains("step 'start'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Connection timed out", ex.Message, StringComparison.Ordinal);
        Assert.Contains("new registration is kept", ex.Message, StringComparison.Ordinal);
        Assert.Equal("100", sut.Machine.Runner.ReadRunnerProperty("agentId"));
        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
        Assert.False(File.Exists(sut.JournalPath));
    }

    [Fact]
    public async Task ReconfigureAsync_UnitFailsRightAfterStart_ReportsStateAndKeepsJournal()
    {
        using var sut = new SystemdHarness();
        sut.Machine.Systemctl.FailAfterStart();

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(() => sut.ReconfigureAsync());

        Assert.Contains("the unit is failed", ex.Message, StringComparison.Ordinal);
        Assert.Contains("rollback failed too", ex.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(sut.JournalPath));
    }

    [Theory]
    [InlineData("stop", "Stop")]
    [InlineData("remove", "Remove")]
    [InlineData("configure", "Configure")]
    public async Task ReconfigureAsync_CancelledMidStep_RollsBackAndRethrows(string hangingCommand, string step)
    {
        using var sut = new SystemdHarness();
        var before = sut.Machine.Runner.Snapshot();
        Func<bool> started;
        if (hangingCommand == "stop")
        {
            sut.Machine.Systemctl.Hang("stop");
            started = () => sut.Machine.Systemctl.Calls.Count > 0;
        }
        else
        {
            sut.Machine.Runner.ConfigSh.Hang(hangingCommand);
            started = () => sut.Machine.Runner.ConfigSh.Calls.Any(c => c.Command == hangingCommand);
        }

        using var cancellation = new CancellationTokenSource();

        var task = sut.ReconfigureAsync(cancellation.Token);
        await WaitForAsync(started);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        AssertSameFiles(before, sut.Machine.Runner.Snapshot());
        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
        Assert.Equal($"systemctl start {sut.Unit}", sut.Machine.Sequence[^2]);
        Assert.False(File.Exists(sut.JournalPath));
        Assert.Contains(sut.Logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains($"cancelled at step {step}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReconfigureAsync_ConfigShHangsPastTimeout_KilledAndRolledBack()
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

    [Fact]
    public async Task ReconfigureAsync_SudoPrefix_RunsSystemctlThroughSudo()
    {
        using var sut = new SystemdHarness(configure: o => o.SystemctlPrefix = "sudo -n");

        await sut.ReconfigureAsync();

        Assert.Equal(
            [$"-n systemctl stop {sut.Unit}", $"-n systemctl is-active {sut.Unit}", $"-n systemctl start {sut.Unit}", $"-n systemctl is-active {sut.Unit}"],
            sut.Machine.Sudo.Calls);
        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
    }

    [Fact]
    public async Task ReconfigureAsync_SudoRefuses_ReportsSudoErrorAndTouchesNothing()
    {
        using var sut = new SystemdHarness(configure: o => o.SystemctlPrefix = "sudo -n");
        var before = sut.Machine.Runner.Snapshot();
        sut.Machine.Sudo.Deny();

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(() => sut.ReconfigureAsync());

        Assert.Contains("step 'stop'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("sudo: a password is required", ex.Message, StringComparison.Ordinal);
        AssertSameFiles(before, sut.Machine.Runner.Snapshot());
        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
        Assert.Empty(sut.Machine.Runner.ConfigSh.Calls);
    }

    [Fact]
    public async Task ReconfigureAsync_SystemctlMissing_ReportsCouldNotStartAndChangesNothing()
    {
        using var sut = new SystemdHarness(configure: o => o.SystemctlPath = "/nonexistent/systemctl");
        var before = sut.Machine.Runner.Snapshot();

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(() => sut.ReconfigureAsync());

        Assert.Contains("step 'stop'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("`/nonexistent/systemctl stop actions.runner.my-org.runner-1.service` could not start", ex.Message, StringComparison.Ordinal);
        SystemdReconfigurerTests.AssertSameFiles(before, sut.Machine.Runner.Snapshot());
        Assert.Empty(sut.Machine.Runner.ConfigSh.Calls);
    }

    [Fact]
    public async Task ReconfigureAsync_UserUnits_CallsSystemctlUser()
    {
        using var sut = new SystemdHarness(userUnit: true);

        await sut.ReconfigureAsync();

        Assert.Equal(
            [$"--user stop {sut.Unit}", $"--user is-active {sut.Unit}", $"--user start {sut.Unit}", $"--user is-active {sut.Unit}"],
            sut.Machine.Systemctl.Calls);
        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit, user: true));
    }

    [Fact]
    public async Task ReconfigureAsync_NoServiceFile_ReRegistersWithoutSystemctlAndSaysSo()
    {
        using var sut = new SystemdHarness(new RunnerLayout { Unit = null });

        await sut.ReconfigureAsync();

        Assert.Empty(sut.Machine.Systemctl.Calls);
        Assert.Equal(["remove", "configure"], sut.Machine.Runner.ConfigSh.Calls.Select(c => c.Command));
        Assert.Contains(sut.Logs.GetSnapshot(), r => r.Message.Contains("is not a service", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReconfigureAsync_ServiceFileWithSuffixedName_UsesItVerbatim()
    {
        const string Unit = "actions.runner.my-org-with-a-long-name.runner-1-x7Yq.service";
        using var sut = new SystemdHarness(new RunnerLayout { Unit = Unit });

        await sut.ReconfigureAsync();

        Assert.Contains($"stop {Unit}", sut.Machine.Systemctl.Calls);
        Assert.True(sut.Machine.Systemctl.IsActive(Unit));
    }

    [Fact]
    public async Task ReconfigureAsync_UnitOption_OverridesServiceFile()
    {
        using var sut = new SystemdHarness(configure: o => o.Units["runner-1"] = "my-runner.service");
        sut.Machine.Systemctl.Install("my-runner.service");

        await sut.ReconfigureAsync();

        Assert.Equal(["stop my-runner.service", "is-active my-runner.service", "start my-runner.service", "is-active my-runner.service"], sut.Machine.Systemctl.Calls);
    }

    [Fact]
    public async Task ReconfigureAsync_RemoveLeavesMigratedFiles_DeletesThemSoTheyCannotShadowTheNewRegistration()
    {
        using var sut = new SystemdHarness(new RunnerLayout { Migrated = true });
        sut.Machine.Runner.ConfigSh.KeepMigratedOnRemove();

        await sut.ReconfigureAsync();

        Assert.False(File.Exists(sut.Machine.Runner.File(".runner_migrated")));
        Assert.False(File.Exists(sut.Machine.Runner.File(".credentials_migrated")));
        Assert.Equal("100", sut.Machine.Runner.ReadRunnerProperty("agentId"));
    }

    [Fact]
    public async Task ReconfigureAsync_ServerRefusesRemoval_FallsBackToLocalRemove()
    {
        using var sut = new SystemdHarness();
        sut.Machine.Runner.ConfigSh.FailServerRemove("Http response code: NotFound from 'POST https://api.github.com/actions/runner-registration'");

        await sut.ReconfigureAsync();

        Assert.Equal(["remove", "remove --local", "--unattended"], sut.Machine.Runner.ConfigSh.Calls.Select(c => string.Join(' ', c.Arguments.Take(2))).Select(a => a.StartsWith("--unattended", StringComparison.Ordinal) ? "--unattended" : a));
        Assert.Contains(sut.Logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("NotFound", StringComparison.Ordinal));
        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
    }

    [Fact]
    public async Task ReconfigureAsync_ListenerLoggedDeletion_RemovesLocallyWithoutRemoveToken()
    {
        using var sut = new SystemdHarness();
        var at = DateTimeOffset.UtcNow.AddMinutes(5);
        sut.Machine.Runner.WriteDiagLog(at, [FakeRunnerDirectory.DiagLine(at, "The runner registration has been deleted from the server, please re-configure.", "ERR")]);

        await sut.ReconfigureAsync();

        Assert.Equal(["remove", "--local"], sut.Machine.Runner.ConfigSh.Calls[0].Arguments);
        Assert.False(sut.Machine.Runner.ConfigSh.Calls[0].TokenFromEnvironment);
        await sut.Issuer.DidNotReceiveWithAnyArgs().CreateRemoveTokenAsync(default!, default);
    }

    [Fact]
    public async Task ReconfigureAsync_IssuerCannotIssueRemoveToken_FallsBackToLocalRemove()
    {
        using var sut = new SystemdHarness();
        sut.Issuer.CreateRemoveTokenAsync(Arg.Any<RunnerScope>(), Arg.Any<CancellationToken>())
            .Returns<RegistrationToken>(_ => throw new HttpRequestException("403 Forbidden"));

        await sut.ReconfigureAsync();

        Assert.Equal(["remove", "--local"], sut.Machine.Runner.ConfigSh.Calls[0].Arguments);
        Assert.Contains(sut.Logs.GetSnapshot(), r => r.Message.Contains("403 Forbidden", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReconfigureAsync_RunningAsRootWithoutPermission_ErrorNamesRunnerAllowRunAsRoot()
    {
        using var sut = new SystemdHarness(configure: o => o.AllowRunAsRoot = false);
        var before = sut.Machine.Runner.Snapshot();
        sut.Machine.Runner.ConfigSh.PretendUid(0);

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(() => sut.ReconfigureAsync());

        Assert.Contains("step 'remove'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Must not run with sudo", ex.Message, StringComparison.Ordinal);
        Assert.Contains("RUNNER_ALLOW_RUNASROOT=1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Systemd:AllowRunAsRoot", ex.Message, StringComparison.Ordinal);
        AssertSameFiles(before, sut.Machine.Runner.Snapshot());
    }

    [Fact]
    public async Task ReconfigureAsync_AllowRunAsRoot_SetsRunnerAllowRunAsRootForConfigSh()
    {
        using var sut = new SystemdHarness(configure: o => o.AllowRunAsRoot = true);
        sut.Machine.Runner.ConfigSh.PretendUid(0);

        await sut.ReconfigureAsync();

        Assert.All(sut.Machine.Runner.ConfigSh.Calls, c => Assert.True(c.AllowRunAsRoot));
    }

    [Fact]
    public async Task ReconfigureAsync_RunnerSettings_PassedToConfigure()
    {
        using var sut = new SystemdHarness(
            new RunnerLayout { WorkFolder = "/srv/work", PoolName = "old-group" },
            shapeRunner: r => new RunnerContext(r.Name, r.Directory, r.Url, r.StateDirectory) { RunnerGroup = "linux-x64", Ephemeral = true, DisableUpdate = true });
        sut.Api.AddRunnerGroup("orgs/my-org", "linux-x64");

        await sut.ReconfigureAsync();

        var configure = sut.Machine.Runner.ConfigSh.Calls.Single(c => c.Command == "configure");
        Assert.Equal("/srv/work", configure.ValueOf("--work"));
        Assert.Equal("linux-x64", configure.ValueOf("--runnergroup"));
        Assert.Null(configure.ValueOf("--labels"));
        Assert.Contains("--ephemeral", configure.Arguments);
        Assert.Contains("--disableupdate", configure.Arguments);
        Assert.Contains(sut.Logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("default labels only", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReconfigureAsync_RepositoryRunner_PassesNoRunnerGroup()
    {
        using var sut = new SystemdHarness(
            shapeRunner: r => new RunnerContext(r.Name, r.Directory, "https://github.com/my-org/my-repo", r.StateDirectory));

        await sut.ReconfigureAsync();

        Assert.Null(sut.Machine.Runner.ConfigSh.Calls.Single(c => c.Command == "configure").ValueOf("--runnergroup"));
    }

    [Fact]
    public async Task ReconfigureAsync_StateFolder_OwnerOnly()
    {
        using var sut = new SystemdHarness();
        sut.Machine.Runner.ConfigSh.Hang("configure");
        using var cancellation = new CancellationTokenSource();

        var task = sut.ReconfigureAsync(cancellation.Token);
        await WaitForAsync(() => sut.Machine.Runner.ConfigSh.Calls.Any(c => c.Command == "configure"));
        var journalMode = File.GetUnixFileMode(sut.JournalPath);
        var backupMode = File.GetUnixFileMode(sut.BackupPath);
        var keyMode = File.GetUnixFileMode(Path.Combine(sut.BackupPath, ".credentials_rsaparams"));
        var journal = await File.ReadAllTextAsync(sut.JournalPath);
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, journalMode);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, backupMode);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, keyMode);
        Assert.Contains("\"step\": \"Configure\"", journal, StringComparison.Ordinal);
        Assert.DoesNotContain(sut.RegistrationToken, journal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReconfigureAsync_NullArguments_Throw()
    {
        using var sut = new SystemdHarness();

        await Assert.ThrowsAsync<ArgumentNullException>(() => sut.Reconfigurer.ReconfigureAsync(null!, new RegistrationToken("t", DateTimeOffset.UtcNow), default));
        await Assert.ThrowsAsync<ArgumentNullException>(() => sut.Reconfigurer.ReconfigureAsync(sut.Runner, null!, default));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await sut.Reconfigurer.DescribePlanAsync(null!, default));
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
                sut.Machine.Runner.ConfigSh.Fail("configure", "Http response code: NotFound");
                return ("configure", "NotFound");
            default:
                sut.Machine.Runner.ConfigSh.FailConfigurePartway();
                return ("configure", "InternalServerError");
        }
    }

    internal static void AssertSameFiles(IReadOnlyDictionary<string, byte[]> expected, IReadOnlyDictionary<string, byte[]> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, bytes) in expected)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(actual[name]), $"{name} differs from before");
        }
    }

    /// <summary>Advances the fake clock while the sequence polls systemctl, until it gives up.</summary>
    private static async Task DriveClockUntilDoneAsync(SystemdHarness sut, Task task)
    {
        for (var i = 0; i < 2000 && !task.IsCompleted; i++)
        {
            sut.Time.Advance(UnitController.PollInterval);
            await Task.WhenAny(task, Task.Delay(5));
        }
    }

    /// <summary>Waits for a fake process to have started; real processes give no other signal.</summary>
    internal static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 1000 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition(), "the fake process did not start");
    }
}
