using Microsoft.Extensions.Logging;
using NSubstitute;
using RunnerTokens.TestKit;
using RunnerTokens.TestKit.Runner;

namespace RunnerTokens.Systemd.Tests.Reconfiguration;

public sealed partial class SystemdReconfigurerTests
{
    [Fact]
    public async Task ReconfigureAsync_RoutineRefresh_StopsRemovesLocallyConfiguresStartsAndWaitsInOrder()
    {
        using var sut = new SystemdHarness();
        var unit = sut.Unit;

        await sut.ReconfigureAsync();

        Assert.Equal(
            [
                $"systemctl stop {unit}",
                $"systemctl is-active {unit}",
                "config.sh remove --local",
                "config.sh --unattended --url https://github.com/my-org --name runner-1 --replace --labels linux,gpu --runnergroup Default --work _work",
                $"systemctl start {unit}",
                $"systemctl is-active {unit}",
                $"systemctl is-active {unit}",
            ],
            sut.Machine.Sequence);
    }

    [Fact]
    public async Task ReconfigureAsync_RoutineRefresh_KeepsTheRunnersIdWithNoServerRemoveAndNoRemoveToken()
    {
        using var sut = new SystemdHarness();
        var keyBefore = File.ReadAllBytes(sut.Machine.Runner.File(".credentials_rsaparams"));

        await sut.ReconfigureAsync();

        Assert.Equal("42", sut.Machine.Runner.ReadRunnerProperty("agentId"));
        Assert.Equal("runner-1", sut.Machine.Runner.ReadRunnerProperty("agentName"));
        Assert.NotEqual(keyBefore, File.ReadAllBytes(sut.Machine.Runner.File(".credentials_rsaparams")));
        Assert.Equal(42, sut.Listed()?.Id);
        Assert.DoesNotContain(sut.Machine.Runner.ConfigSh.Calls, c => c.Command == "remove" && !c.Arguments.Contains("--local"));
        await sut.Issuer.DidNotReceiveWithAnyArgs().CreateRemoveTokenAsync(default!, default);
    }

    [Fact]
    public async Task ReconfigureAsync_RoutineRefresh_LeavesRunnerListeningWithServiceFileAndNoState()
    {
        using var sut = new SystemdHarness();
        var serviceBefore = File.ReadAllBytes(sut.Machine.Runner.ServiceFile);

        await sut.ReconfigureAsync();

        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
        Assert.Equal(serviceBefore, File.ReadAllBytes(sut.Machine.Runner.ServiceFile));
        Assert.False(File.Exists(sut.Machine.Runner.File(RunnerFiles.ServiceAside)));
        Assert.False(File.Exists(sut.JournalPath));
        Assert.False(Directory.Exists(sut.BackupPath));
        Assert.Contains(sut.Logs.GetSnapshot(), r => r.Message.Contains("is listening for jobs", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReconfigureAsync_EverySetting_RepeatedAsItsFlag()
    {
        using var sut = new SystemdHarness(new RunnerLayout { PoolName = "gpu-pool" }, shapeRegistration: r => r with
        {
            Labels = ["gpu", "cuda-12"],
            NoDefaultLabels = true,
            RunnerGroup = "gpu-pool",
            WorkFolder = "/srv/work",
            Ephemeral = true,
            DisableUpdate = true,
            MonitorSocketAddress = "127.0.0.1:9999",
        });

        await sut.ReconfigureAsync();

        var configure = sut.Machine.Runner.ConfigSh.Calls.Single(c => c.Command == "configure");
        Assert.Equal(
            [
                "--unattended", "--url", "https://github.com/my-org", "--name", "runner-1", "--replace",
                "--labels", "gpu,cuda-12", "--no-default-labels", "--runnergroup", "gpu-pool", "--work", "/srv/work",
                "--ephemeral", "--disableupdate", "--monitorsocketaddress", "127.0.0.1:9999",
            ],
            configure.Arguments);
        Assert.Equal("true", sut.Machine.Runner.ReadRunnerProperty("ephemeral"));
        Assert.Equal("127.0.0.1:9999", sut.Machine.Runner.ReadRunnerProperty("monitorSocketAddress"));
        Assert.Equal("gpu-pool", sut.Machine.Runner.ReadRunnerProperty("poolName"));
        var listed = sut.Listed()!;
        Assert.Equal(42, listed.Id);
        Assert.Equal(["gpu", "cuda-12"], listed.Labels);
        Assert.False(listed.DefaultLabels);
        Assert.True(listed.Ephemeral);
        Assert.True(listed.DisableUpdate);
    }

    [Theory]
    [InlineData(false, new[] { "linux" })]
    [InlineData(true, new string[0])]
    public async Task ReconfigureAsync_LabelsUnknownOrNone_PassesNoLabelsFlag(bool known, string[] labels)
    {
        using var sut = new SystemdHarness(shapeRegistration: r => r with { Labels = labels, LabelsKnown = known });

        await sut.ReconfigureAsync();

        Assert.DoesNotContain("--labels", sut.Machine.Runner.ConfigSh.Calls.Single(c => c.Command == "configure").Arguments);
    }

    [Fact]
    public async Task ReconfigureAsync_NoGroupNoWorkFolder_NoRunnerGroupFlagAndDefaultWork()
    {
        using var sut = new SystemdHarness(shapeRegistration: r => r with { RunnerGroup = null, WorkFolder = null });

        await sut.ReconfigureAsync();

        var configure = sut.Machine.Runner.ConfigSh.Calls.Single(c => c.Command == "configure");
        Assert.DoesNotContain("--runnergroup", configure.Arguments);
        Assert.Equal("_work", configure.ValueOf("--work"));
        Assert.DoesNotContain("--ephemeral", configure.Arguments);
        Assert.DoesNotContain("--disableupdate", configure.Arguments);
        Assert.DoesNotContain("--no-default-labels", configure.Arguments);
        Assert.DoesNotContain("--monitorsocketaddress", configure.Arguments);
    }

    [Fact]
    public async Task ReconfigureAsync_ConfigShRewritesServiceEnvironment_PathEnvAndSvcShByteIdenticalWithModeAndTime()
    {
        // JAVA_HOME reaches config.sh (Environment option), so its env.sh appends it to .env; it rewrites .path with
        // its PATH; configure regenerates svc.sh. The runner's jobs must not get the refresher's environment.
        using var sut = new SystemdHarness(configure: o => o.Environment["JAVA_HOME"] = "/opt/jdk-21");
        sut.InstallServiceScript();
        var svc = sut.Machine.Runner.File("svc.sh");
        var installedAt = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(svc, installedAt);
        var before = sut.ServiceEnvironment();

        await sut.ReconfigureAsync();

        AssertSameFiles(before, sut.ServiceEnvironment());
        Assert.Equal(installedAt, File.GetLastWriteTimeUtc(svc));
        Assert.Equal(ExecutableMode, File.GetUnixFileMode(svc));
    }

    [Fact]
    public async Task ReconfigureAsync_ServiceEnvironmentFileDidNotExist_DeletedAgain()
    {
        using var sut = new SystemdHarness();
        File.Delete(sut.Machine.Runner.File("svc.sh"));

        await sut.ReconfigureAsync();

        Assert.False(File.Exists(sut.Machine.Runner.File("svc.sh")));
    }

    [Fact]
    public async Task ReconfigureAsync_Tokens_ReachConfigShOnlyThroughTheEnvironment()
    {
        using var sut = new SystemdHarness();

        await sut.ReconfigureAsync();

        var calls = sut.Machine.Runner.ConfigSh.Calls;
        Assert.Equal(["remove", "configure"], calls.Select(c => c.Command));
        Assert.False(calls[0].TokenFromEnvironment);
        Assert.True(calls[1].TokenFromEnvironment);
        Assert.Equal(sut.RegistrationToken, calls[1].Token);
        Assert.All(calls, call => Assert.DoesNotContain("--token", call.Arguments));
        Assert.DoesNotContain(sut.RegistrationToken, sut.EverythingVisible(), StringComparison.Ordinal);
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

    [Fact]
    public async Task ReconfigureAsync_Rename_RemovesTheOldRunnerOnTheServerWithARemoveTokenThenRegistersTheNewName()
    {
        using var sut = new SystemdHarness(shapeRegistration: r => r with { Name = "runner-2", Id = null, Renames = true });

        await sut.ReconfigureAsync();

        var remove = sut.Machine.Runner.ConfigSh.Calls[0];
        Assert.Equal(["remove"], remove.Arguments);
        Assert.True(remove.TokenFromEnvironment);
        Assert.Equal(sut.RemoveToken, remove.Token);
        Assert.Equal("runner-2", sut.Machine.Runner.ConfigSh.Calls[1].ValueOf("--name"));
        Assert.Null(sut.Listed("runner-1"));
        Assert.NotEqual(42, sut.Listed("runner-2")?.Id ?? 42);
        Assert.Equal("runner-2", sut.Machine.Runner.ReadRunnerProperty("agentName"));
        await sut.Issuer.Received(1).CreateRemoveTokenAsync(Arg.Is<RunnerScope>(s => s.Owner == "my-org"), Arg.Any<CancellationToken>());
        Assert.DoesNotContain(sut.RemoveToken, sut.EverythingVisible(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReconfigureAsync_RenameServerRemoveRefused_FailsWithoutLocalFallbackAndRestores()
    {
        using var sut = new SystemdHarness(shapeRegistration: r => r with { Name = "runner-2", Id = null, Renames = true });
        var before = sut.Machine.Runner.Snapshot();
        sut.Machine.Runner.ConfigSh.FailServerRemove("Http response code: Forbidden from 'DELETE https://api.github.com/orgs/my-org/actions/runners/42'");

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(() => sut.ReconfigureAsync());

        Assert.Contains("step 'remove'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Forbidden", ex.Message, StringComparison.Ordinal);
        Assert.Equal([["remove"]], sut.Machine.Runner.ConfigSh.Calls.Select(c => c.Arguments));
        Assert.Equal(42, sut.Listed()?.Id);
        AssertSameFiles(before, sut.Machine.Runner.Snapshot());
        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
    }

    [Fact]
    public async Task ReconfigureAsync_RenameWithoutTokenIssuer_FailsAtRemoveAndChangesNothing()
    {
        using var sut = new SystemdHarness(shapeRegistration: r => r with { Name = "runner-2", Renames = true }, withIssuer: false);
        var before = sut.Machine.Runner.Snapshot();

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(() => sut.ReconfigureAsync());

        Assert.Contains("step 'remove'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("no ITokenIssuer", ex.Message, StringComparison.Ordinal);
        Assert.Empty(sut.Machine.Runner.ConfigSh.Calls);
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
    public async Task ReconfigureAsync_RunningAsRootWithoutPermission_ErrorNamesRunnerAllowRunAsRoot()
    {
        using var sut = new SystemdHarness(configure: o => o.AllowRunAsRoot = false);
        var before = sut.Machine.Runner.Snapshot();
        sut.Machine.Runner.ConfigSh.PretendUid(0);

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(() => sut.ReconfigureAsync());

        Assert.Contains("step 'remove'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Must not run with sudo", ex.Message, StringComparison.Ordinal);
        Assert.Contains("RUNNER_ALLOW_RUNASROOT", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Systemd:AllowRunAsRoot", ex.Message, StringComparison.Ordinal);
        AssertSameFiles(before, sut.Machine.Runner.Snapshot());
    }

    [Fact]
    public async Task ReconfigureAsync_SudoPrefix_RunsSystemctlThroughSudo()
    {
        using var sut = new SystemdHarness(configure: o => o.SystemctlPrefix = "sudo -n");

        await sut.ReconfigureAsync();

        Assert.Equal(
            [$"-n systemctl stop {sut.Unit}", $"-n systemctl is-active {sut.Unit}", $"-n systemctl start {sut.Unit}", $"-n systemctl is-active {sut.Unit}", $"-n systemctl is-active {sut.Unit}"],
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
        AssertSameFiles(before, sut.Machine.Runner.Snapshot());
        Assert.Empty(sut.Machine.Runner.ConfigSh.Calls);
    }

    [Fact]
    public async Task ReconfigureAsync_UserUnits_CallsSystemctlUser()
    {
        using var sut = new SystemdHarness(userUnit: true);

        await sut.ReconfigureAsync();

        Assert.Equal(
            [$"--user stop {sut.Unit}", $"--user is-active {sut.Unit}", $"--user start {sut.Unit}", $"--user is-active {sut.Unit}", $"--user is-active {sut.Unit}"],
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
        sut.Machine.Systemctl.Install("my-runner.service", runnerDirectory: sut.Machine.Runner.Path);

        await sut.ReconfigureAsync();

        Assert.Equal(
            ["stop my-runner.service", "is-active my-runner.service", "start my-runner.service", "is-active my-runner.service", "is-active my-runner.service"],
            sut.Machine.Systemctl.Calls);
    }

    [Fact]
    public async Task ReconfigureAsync_RemoveLeavesMigratedFiles_DeletesThemSoTheyCannotShadowTheNewRegistration()
    {
        using var sut = new SystemdHarness(new RunnerLayout { Migrated = true });
        sut.Machine.Runner.ConfigSh.KeepMigratedOnRemove();

        await sut.ReconfigureAsync();

        Assert.False(File.Exists(sut.Machine.Runner.File(".runner_migrated")));
        Assert.False(File.Exists(sut.Machine.Runner.File(".credentials_migrated")));
        Assert.Equal("runner-1", sut.Machine.Runner.ReadRunnerProperty("agentName"));
    }

    [Fact]
    public async Task ReconfigureAsync_StateFolder_OwnerOnlyAndJournalNamesTheStepWithoutToken()
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
        Assert.Contains("\"step\": \"configure\"", journal, StringComparison.Ordinal);
        Assert.Contains("\"version\": 2", journal, StringComparison.Ordinal);
        Assert.Contains("\"name\": \"svc.sh\"", journal, StringComparison.Ordinal);
        Assert.DoesNotContain(sut.RegistrationToken, journal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReconfigureAsync_NullArguments_Throw()
    {
        using var sut = new SystemdHarness();
        var token = new RegistrationToken("t", DateTimeOffset.UtcNow);

        await Assert.ThrowsAsync<ArgumentNullException>(() => sut.Reconfigurer.ReconfigureAsync(null!, sut.Registration, token, default));
        await Assert.ThrowsAsync<ArgumentNullException>(() => sut.Reconfigurer.ReconfigureAsync(sut.Runner, null!, token, default));
        await Assert.ThrowsAsync<ArgumentNullException>(() => sut.Reconfigurer.ReconfigureAsync(sut.Runner, sut.Registration, null!, default));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await sut.Reconfigurer.DescribePlanAsync(null!, sut.Registration, default));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await sut.Reconfigurer.DescribePlanAsync(sut.Runner, null!, default));
        Assert.Empty(sut.Machine.Sequence);
    }

    private const UnixFileMode ExecutableMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    internal static void AssertSameFiles(IReadOnlyDictionary<string, byte[]> expected, IReadOnlyDictionary<string, byte[]> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, bytes) in expected)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(actual[name]), $"{name} differs from before");
        }
    }

    /// <summary>Waits for a fake process to have started; real processes give no other signal.</summary>
    internal static async Task WaitForAsync(Func<bool> condition) =>
        Assert.True(await Poll.UntilAsync(condition, TimeSpan.FromSeconds(10)), "the fake process did not start");

    private static bool IsLogged(SystemdHarness sut, LogLevel level, string text) =>
        sut.Logs.GetSnapshot().Any(r => r.Level == level && r.Message.Contains(text, StringComparison.Ordinal));
}
