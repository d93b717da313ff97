using System.Text;
using RunnerTokens.TestKit.Runner;

namespace RunnerTokens.Systemd.Tests.Reconfiguration;

/// <summary>A crash between steps leaves the journal and the runner's files as they were at that step; the next check repairs.</summary>
public sealed class SystemdRefreshRecoveryTests
{
    [Fact]
    public async Task RecoverAsync_NoJournal_DoesNothing()
    {
        using var sut = new SystemdHarness();
        var before = sut.Machine.Runner.Snapshot();

        await sut.Recovery.RecoverAsync(sut.Runner, default);

        Assert.Empty(sut.Machine.Sequence);
        SystemdReconfigurerTests.AssertSameFiles(before, sut.Machine.Runner.Snapshot());
    }

    [Theory]
    [InlineData("Stop")]
    [InlineData("Remove")]
    [InlineData("Configure")]
    public async Task RecoverAsync_CrashBeforeNewRegistrationComplete_RestoresAndStartsUnit(string step)
    {
        using var sut = new SystemdHarness(new RunnerLayout { Migrated = true });
        var before = sut.Machine.Runner.Snapshot();
        CrashAt(sut, Enum.Parse<ReconfigurationStep>(step), newRegistrationComplete: false);

        await sut.Recovery.RecoverAsync(sut.Runner, default);

        SystemdReconfigurerTests.AssertSameFiles(before, sut.Machine.Runner.Snapshot());
        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
        Assert.False(File.Exists(sut.Machine.Runner.File(RunnerFiles.ServiceAside)));
        Assert.False(File.Exists(sut.JournalPath));
        Assert.False(Directory.Exists(sut.BackupPath));
    }

    [Theory]
    [InlineData("Configure")]
    [InlineData("Start")]
    public async Task RecoverAsync_CrashAfterConfigShFinished_KeepsNewRegistrationAndStartsUnit(string step)
    {
        using var sut = new SystemdHarness();
        var serviceBefore = File.ReadAllBytes(sut.Machine.Runner.ServiceFile);
        CrashAt(sut, Enum.Parse<ReconfigurationStep>(step), newRegistrationComplete: true);

        await sut.Recovery.RecoverAsync(sut.Runner, default);

        Assert.Equal("777", sut.Machine.Runner.ReadRunnerProperty("agentId"));
        Assert.Equal(serviceBefore, File.ReadAllBytes(sut.Machine.Runner.ServiceFile));
        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
        Assert.False(File.Exists(sut.JournalPath));
    }

    [Fact]
    public async Task RecoverAsync_CrashDuringBackup_DropsJournalAndTouchesNothing()
    {
        using var sut = new SystemdHarness();
        var before = sut.Machine.Runner.Snapshot();
        CrashAt(sut, ReconfigurationStep.Backup, newRegistrationComplete: false);

        await sut.Recovery.RecoverAsync(sut.Runner, default);

        Assert.Empty(sut.Machine.Sequence);
        SystemdReconfigurerTests.AssertSameFiles(before, sut.Machine.Runner.Snapshot());
        Assert.False(File.Exists(sut.JournalPath));
    }

    [Fact]
    public async Task RecoverAsync_StartRefused_ThrowsKeepsJournalAndRepairsOnNextCheck()
    {
        using var sut = new SystemdHarness();
        var before = sut.Machine.Runner.Snapshot();
        CrashAt(sut, ReconfigurationStep.Remove, newRegistrationComplete: false);
        sut.Machine.Systemctl.Fail("start", "Failed to start unit: Access denied", once: true);

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(async () => await sut.Recovery.RecoverAsync(sut.Runner, default));
        Assert.Contains("step 'remove'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Access denied", ex.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(sut.JournalPath));

        await sut.Recovery.RecoverAsync(sut.Runner, default);

        SystemdReconfigurerTests.AssertSameFiles(before, sut.Machine.Runner.Snapshot());
        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
        Assert.False(File.Exists(sut.JournalPath));
    }

    [Fact]
    public async Task RecoverAsync_CorruptJournal_ThrowsNamingTheFile()
    {
        using var sut = new SystemdHarness();
        Directory.CreateDirectory(sut.Runner.StateDirectory);
        await File.WriteAllTextAsync(sut.JournalPath, "{ not json");

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(async () => await sut.Recovery.RecoverAsync(sut.Runner, default));

        Assert.Contains(sut.JournalPath, ex.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(sut.JournalPath));
    }

    [Fact]
    public async Task RecoverAsync_JournalFromNewerVersion_ThrowsAndKeepsIt()
    {
        using var sut = new SystemdHarness();
        CrashAt(sut, ReconfigurationStep.Remove, newRegistrationComplete: false);
        await File.WriteAllTextAsync(sut.JournalPath, (await File.ReadAllTextAsync(sut.JournalPath)).Replace("\"version\": 1", "\"version\": 2", StringComparison.Ordinal));

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(async () => await sut.Recovery.RecoverAsync(sut.Runner, default));

        Assert.Contains("version 2", ex.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(sut.JournalPath));
    }

    [Fact]
    public async Task RecoverAsync_TamperedBackup_RefusesToRestoreIt()
    {
        using var sut = new SystemdHarness();
        CrashAt(sut, ReconfigurationStep.Remove, newRegistrationComplete: false);
        await File.WriteAllTextAsync(Path.Combine(sut.BackupPath, ".credentials"), "garbage");

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(async () => await sut.Recovery.RecoverAsync(sut.Runner, default));

        Assert.Contains("does not match the journal", ex.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(sut.JournalPath));
    }

    [Fact]
    public async Task ReconfigureAsync_JournalLeftByCrash_RepairsFirstThenReRegisters()
    {
        using var sut = new SystemdHarness();
        CrashAt(sut, ReconfigurationStep.Remove, newRegistrationComplete: false);

        await sut.ReconfigureAsync();

        Assert.Equal($"systemctl start {sut.Unit}", sut.Machine.Sequence[0]);
        Assert.Equal("100", sut.Machine.Runner.ReadRunnerProperty("agentId"));
        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
        Assert.False(File.Exists(sut.JournalPath));
    }

    [Fact]
    public async Task ReconfigureAsync_Failure_RestoresModificationTimeOfRunnerFile()
    {
        using var sut = new SystemdHarness();
        var registeredAt = new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
        sut.Machine.Runner.Touch(".runner", registeredAt);
        sut.Machine.Runner.ConfigSh.Fail("configure", "boom");

        await Assert.ThrowsAsync<RunnerReconfigurationException>(() => sut.ReconfigureAsync());

        Assert.Equal(registeredAt.UtcDateTime, File.GetLastWriteTimeUtc(sut.Machine.Runner.File(".runner")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(sut.Machine.Runner.File(".credentials_rsaparams")));
    }

    /// <summary>Leaves the journal, backup, files and unit exactly as the sequence leaves them when the process dies during <paramref name="step"/>.</summary>
    private static void CrashAt(SystemdHarness sut, ReconfigurationStep step, bool newRegistrationComplete)
    {
        var journal = sut.Get<ReconfigurationJournal>();
        var backup = sut.Get<RegistrationBackup>();
        var entry = new JournalEntry { Runner = sut.Runner.Name, Unit = sut.Unit, Step = ReconfigurationStep.Backup };
        journal.Write(sut.Runner, entry);
        entry.Files = backup.Save(sut.Runner);
        if (step == ReconfigurationStep.Backup)
        {
            return;
        }

        entry.Step = step;
        journal.Write(sut.Runner, entry);
        sut.Machine.Systemctl.Install(sut.Unit, active: false);
        if (step == ReconfigurationStep.Stop)
        {
            return;
        }

        backup.MoveServiceAside(sut.Runner);
        foreach (var name in RunnerFiles.Registration)
        {
            File.Delete(sut.Machine.Runner.File(name));
        }

        if (step == ReconfigurationStep.Remove)
        {
            return;
        }

        backup.PutServiceBack(sut.Runner, entry.Files);
        File.WriteAllText(sut.Machine.Runner.File(".credentials_rsaparams"), "{\"d\":\"new\"}");
        if (newRegistrationComplete)
        {
            // config.sh registered runner 777 on GitHub, after the old registration was removed there.
            sut.Api.RemoveRunner(sut.Machine.ScopePath, sut.Runner.Name);
            sut.Api.AddRunner(sut.Machine.ScopePath, 777, sut.Runner.Name);
            File.WriteAllText(sut.Machine.Runner.File(".credentials"), "\uFEFF{\"scheme\":\"OAuth\"}", new UTF8Encoding(false));
            File.WriteAllText(sut.Machine.Runner.File(".runner"), "\uFEFF{\"agentId\": 777, \"agentName\": \"runner-1\"}", new UTF8Encoding(false));
        }
    }
}
