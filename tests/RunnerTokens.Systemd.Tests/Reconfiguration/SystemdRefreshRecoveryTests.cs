using System.Text.Json.Nodes;
using RunnerTokens.TestKit.Runner;

namespace RunnerTokens.Systemd.Tests.Reconfiguration;

/// <summary>
/// A crash at any point leaves the journal naming the step in progress and the files as the real steps left them;
/// the next check repairs by that step's rule, the same rule as after a failure.
/// </summary>
public sealed class SystemdRefreshRecoveryTests
{
    public static TheoryData<string, bool> CrashPoints()
    {
        var data = new TheoryData<string, bool>();
        foreach (var step in new[] { "backup", "stop", "service-aside", "remove", "delete-leftovers", "configure", "restore-environment", "service-back", "start", "listen" })
        {
            data.Add(step, false);
            data.Add(step, true);
        }

        return data;
    }

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
    [MemberData(nameof(CrashPoints))]
    public async Task RecoverAsync_CrashAtAnyPoint_RestoresOldOrKeepsCompleteNewRegistrationAndTheRunnerRuns(string step, bool stepDone)
    {
        using var sut = new SystemdHarness(new RunnerLayout { Migrated = true });
        var before = sut.Machine.Runner.Snapshot();
        sut.InstallServiceScript();
        var environmentBefore = sut.ServiceEnvironment();
        await CrashAtAsync(sut, step, stepDone);

        await sut.Recovery.RecoverAsync(sut.Runner, default);

        var steps = sut.Get<ReconfigurationSequence>().Steps.Select(s => s.Name).ToList();
        var configShFinished = steps.IndexOf(step) > steps.IndexOf("configure") || (step == "configure" && stepDone);
        if (configShFinished)
        {
            Assert.Equal("42", sut.Machine.Runner.ReadRunnerProperty("agentId"));
            Assert.NotEqual(sut.InitialKeyModulus, sut.Machine.Runner.ReadKeyModulus());
            Assert.False(File.Exists(sut.Machine.Runner.File(".runner_migrated")));
        }
        else
        {
            SystemdReconfigurerTests.AssertSameFiles(before, sut.Machine.Runner.Snapshot());
        }

        SystemdReconfigurerTests.AssertSameFiles(environmentBefore, sut.ServiceEnvironment());
        Assert.True(File.Exists(sut.Machine.Runner.ServiceFile));
        Assert.False(File.Exists(sut.Machine.Runner.File(RunnerFiles.ServiceAside)));
        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
        Assert.False(File.Exists(sut.JournalPath));
        Assert.False(Directory.Exists(sut.BackupPath));
        Assert.Equal(42, sut.Listed()?.Id);
        Assert.Equal(sut.Listed()?.PublicKeyModulus, sut.Machine.Runner.ReadKeyModulus());
    }

    [Fact]
    public async Task RecoverAsync_CrashDuringBackup_DropsJournalAndRunsNothing()
    {
        using var sut = new SystemdHarness();
        await CrashAtAsync(sut, "backup", stepDone: true);

        await sut.Recovery.RecoverAsync(sut.Runner, default);

        Assert.Empty(sut.Machine.Sequence);
        Assert.False(File.Exists(sut.JournalPath));
    }

    [Fact]
    public async Task RecoverAsync_CrashAfterConfigShWroteHalfARegistration_RestoresOldFiles()
    {
        using var sut = new SystemdHarness();
        var before = sut.Machine.Runner.Snapshot();
        sut.Machine.Runner.ConfigSh.FailConfigurePartway();
        await Assert.ThrowsAsync<StepFailedException>(() => CrashAtAsync(sut, "configure", stepDone: true));

        await sut.Recovery.RecoverAsync(sut.Runner, default);

        SystemdReconfigurerTests.AssertSameFiles(before, sut.Machine.Runner.Snapshot());
        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(2, true)]
    public async Task RecoverAsync_RunnerFileRemovedWhileTheRepairLooksAtIt_RestoresItFromTheBackup(int read, bool afterRead)
    {
        // arrange: killed during config.sh remove, whose child outlives it and removes .runner just as the repair,
        // having seen the file, reads it (CI once: "Could not find file .runner"), or just after it read it and found
        // it right, as it looks at its mode (CI once, end to end: "could not put back .runner"); the repair reads it
        // twice: to see whether the registration is complete, then to compare it with the backup
        var fileSystem = new VanishingFileSystem(RunnerFiles.Runner, read, afterRead);
        using var sut = new SystemdHarness(fileSystem: fileSystem);
        var before = sut.Machine.Runner.Snapshot();
        await CrashAtAsync(sut, "remove", stepDone: false);
        fileSystem.Armed = true;

        // act
        await sut.Recovery.RecoverAsync(sut.Runner, default);

        // assert: the race happened, and the runner is back as it was, running, the journal done
        Assert.True(fileSystem.Vanished);
        SystemdReconfigurerTests.AssertSameFiles(before, sut.Machine.Runner.Snapshot());
        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
        Assert.False(File.Exists(sut.JournalPath));
    }

    [Fact]
    public async Task RecoverAsync_RepeatedAfterARepairThatFailed_FinishesTheSameWay()
    {
        using var sut = new SystemdHarness();
        var before = sut.Machine.Runner.Snapshot();
        await CrashAtAsync(sut, "remove", stepDone: true);
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
    public async Task RecoverAsync_JournalOfVersion1_RestoresRegistrationAndLeavesUnrecordedFilesAlone()
    {
        using var sut = new SystemdHarness();
        var before = sut.Machine.Runner.Snapshot();
        await CrashAtAsync(sut, "remove", stepDone: true);
        var journal = JsonNode.Parse(await File.ReadAllTextAsync(sut.JournalPath))!.AsObject();
        journal["version"] = 1;
        journal["step"] = "Remove";
        journal.Remove("name");
        var files = journal["files"]!.AsArray();
        foreach (var file in files.Where(f => (bool)f!["absent"]! || RunnerFiles.ServiceEnvironment.Contains((string)f["name"]!)).ToList())
        {
            files.Remove(file);
        }

        foreach (var file in files)
        {
            file!.AsObject().Remove("absent");
        }

        await File.WriteAllTextAsync(sut.JournalPath, journal.ToJsonString());
        File.WriteAllText(sut.Machine.Runner.File(".path"), "/changed/after/the/crash\n");

        await sut.Recovery.RecoverAsync(sut.Runner, default);

        SystemdReconfigurerTests.AssertSameFiles(before, sut.Machine.Runner.Snapshot());
        Assert.Equal("/changed/after/the/crash\n", File.ReadAllText(sut.Machine.Runner.File(".path")));
        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
        Assert.False(File.Exists(sut.JournalPath));
    }

    [Fact]
    public async Task RecoverAsync_OneFileCannotBeRestored_RestoresTheRestStartsTheUnitAndKeepsTheJournal()
    {
        // arrange: config.sh rewrote .path and regenerated svc.sh; .path cannot be written now
        using var sut = new SystemdHarness();
        sut.InstallServiceScript();
        var environmentBefore = sut.ServiceEnvironment();
        await CrashAtAsync(sut, "restore-environment", stepDone: false);
        Assert.NotEqual(environmentBefore["svc.sh"], File.ReadAllBytes(sut.Machine.Runner.File("svc.sh")));
        using var readOnly = ImmutableFiles.TryCreate(sut.Machine.Runner.File(".path"));
        if (readOnly is null)
        {
            return; // needs root and chattr on this file system
        }

        // act
        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(async () => await sut.Recovery.RecoverAsync(sut.Runner, default));
        readOnly.Dispose();

        // assert: everything else is done, the unit runs, and the next check tries .path again
        Assert.Contains(".path", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"{sut.Unit} is started again", ex.Message, StringComparison.Ordinal);
        Assert.Equal(environmentBefore["svc.sh"], File.ReadAllBytes(sut.Machine.Runner.File("svc.sh")));
        Assert.True(File.Exists(sut.Machine.Runner.ServiceFile));
        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
        Assert.Equal("42", sut.Machine.Runner.ReadRunnerProperty("agentId"));
        Assert.True(File.Exists(sut.JournalPath));

        await sut.Recovery.RecoverAsync(sut.Runner, default);

        SystemdReconfigurerTests.AssertSameFiles(environmentBefore, sut.ServiceEnvironment());
        Assert.False(File.Exists(sut.JournalPath));
    }

    [Theory]
    [InlineData("service-aside")]
    [InlineData("configure")]
    public async Task RecoverAsync_BackupFolderGoneButRegistrationComplete_KeepsItStartsTheUnitAndLogsTheMissingBackup(string step)
    {
        // arrange: a crash, then the backup folder deleted (a tmpfiles cleanup, an operator)
        using var sut = new SystemdHarness();
        sut.InstallServiceScript();
        await CrashAtAsync(sut, step, stepDone: true);
        var registration = sut.Machine.Runner.Snapshot().Where(f => f.Key != ".service").ToDictionary();
        Directory.Delete(sut.BackupPath, recursive: true);

        // act
        await sut.Recovery.RecoverAsync(sut.Runner, default);

        // assert: the runner's own complete files are kept byte for byte, .service is back, the unit runs, no journal
        SystemdReconfigurerTests.AssertSameFiles(registration, sut.Machine.Runner.Snapshot().Where(f => f.Key != ".service").ToDictionary());
        Assert.True(File.Exists(sut.Machine.Runner.ServiceFile));
        Assert.False(File.Exists(sut.Machine.Runner.File(RunnerFiles.ServiceAside)));
        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
        Assert.Equal(sut.Listed()?.PublicKeyModulus, sut.Machine.Runner.ReadKeyModulus());
        Assert.False(File.Exists(sut.JournalPath));
        Assert.Contains(sut.Logs.GetSnapshot(), r => r.Level == Microsoft.Extensions.Logging.LogLevel.Warning && r.Message.Contains($"the backup {sut.BackupPath} is missing", StringComparison.Ordinal));

        // and the next check has nothing left to repair
        await sut.Recovery.RecoverAsync(sut.Runner, default);
    }

    [Fact]
    public async Task RecoverAsync_BackupFolderGoneAndRegistrationRemoved_FailsNamingTheBackupAndStillStartsTheUnit()
    {
        using var sut = new SystemdHarness();
        await CrashAtAsync(sut, "remove", stepDone: true);
        Directory.Delete(sut.BackupPath, recursive: true);

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(async () => await sut.Recovery.RecoverAsync(sut.Runner, default));

        Assert.Contains($"{sut.BackupPath}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("is missing", ex.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(sut.Machine.Runner.ServiceFile));
        Assert.True(File.Exists(sut.JournalPath));
    }

    [Fact]
    public async Task RecoverAsync_JournalLeftAfterChecksThatFoundNone_IsSeenAtTheNextCheck()
    {
        // A daemon's checks find no journal; a refresh killed meanwhile in another process (a cron run) leaves one: the
        // next check reads it, whatever the daemon keeps between its checks.
        using var sut = new SystemdHarness();
        Directory.CreateDirectory(sut.Runner.StateDirectory);
        for (var i = 0; i < 3; i++)
        {
            await sut.Recovery.RecoverAsync(sut.Runner, default);
        }

        await File.WriteAllTextAsync(sut.JournalPath, "{ not json");

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(async () => await sut.Recovery.RecoverAsync(sut.Runner, default));
        Assert.Contains(sut.JournalPath, ex.Message, StringComparison.Ordinal);
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
        await CrashAtAsync(sut, "remove", stepDone: true);
        await File.WriteAllTextAsync(sut.JournalPath, (await File.ReadAllTextAsync(sut.JournalPath)).Replace("\"version\": 2", "\"version\": 3", StringComparison.Ordinal));

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(async () => await sut.Recovery.RecoverAsync(sut.Runner, default));

        Assert.Contains("version 3", ex.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(sut.JournalPath));
    }

    [Fact]
    public async Task RecoverAsync_UnknownStep_ThrowsNamingItAndKeepsJournal()
    {
        using var sut = new SystemdHarness();
        await CrashAtAsync(sut, "remove", stepDone: true);
        await File.WriteAllTextAsync(sut.JournalPath, (await File.ReadAllTextAsync(sut.JournalPath)).Replace("\"step\": \"remove\"", "\"step\": \"teleport\"", StringComparison.Ordinal));

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(async () => await sut.Recovery.RecoverAsync(sut.Runner, default));

        Assert.Contains("'teleport'", ex.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(sut.JournalPath));
    }

    [Fact]
    public async Task RecoverAsync_TamperedBackup_RefusesToRestoreIt()
    {
        using var sut = new SystemdHarness();
        await CrashAtAsync(sut, "remove", stepDone: true);
        await File.WriteAllTextAsync(Path.Combine(sut.BackupPath, ".credentials"), "garbage");

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(async () => await sut.Recovery.RecoverAsync(sut.Runner, default));

        Assert.Contains("does not match the journal", ex.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(sut.JournalPath));
    }

    [Fact]
    public async Task ReconfigureAsync_JournalLeftByCrash_RepairsFirstThenReRegisters()
    {
        using var sut = new SystemdHarness();
        await CrashAtAsync(sut, "remove", stepDone: true);
        var crashed = sut.Machine.Sequence.Count;

        await sut.ReconfigureAsync();

        Assert.Equal($"systemctl start {sut.Unit}", sut.Machine.Sequence[crashed]);
        Assert.Equal("42", sut.Machine.Runner.ReadRunnerProperty("agentId"));
        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
        Assert.False(File.Exists(sut.JournalPath));
    }

    [Fact]
    public async Task ReconfigureAsync_Failure_RestoresModificationTimeAndModeOfRegistrationFiles()
    {
        using var sut = new SystemdHarness();
        var registeredAt = new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
        sut.Machine.Runner.Touch(".runner", registeredAt);
        sut.Machine.Runner.ConfigSh.Fail("configure", "boom");

        await Assert.ThrowsAsync<RunnerReconfigurationException>(() => sut.ReconfigureAsync());

        Assert.Equal(registeredAt.UtcDateTime, File.GetLastWriteTimeUtc(sut.Machine.Runner.File(".runner")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(sut.Machine.Runner.File(".credentials_rsaparams")));
    }

    /// <summary>
    /// The machine's file system, where a file of the given name that was just looked at (an <c>Exists</c> answered
    /// yes) is removed right before it is read so the given time (or, with afterRead, right after that
    /// read, before its mode is looked at), once armed: the race with a process that removes it.
    /// </summary>
    private sealed class VanishingFileSystem : System.IO.Abstractions.FileSystem
    {
        private readonly VanishingFile _file;

        public VanishingFileSystem(string fileName, int read, bool afterRead = false) => _file = new VanishingFile(this, fileName, read, afterRead);

        public bool Armed { get => _file.Armed; set => _file.Armed = value; }

        public bool Vanished => _file.Vanished;

        public override System.IO.Abstractions.IFile File => _file;

        private sealed class VanishingFile(System.IO.Abstractions.IFileSystem fileSystem, string fileName, int read, bool afterRead)
            : System.IO.Abstractions.FileWrapper(fileSystem)
        {
            private string? _lookedAt;
            private int _reads = read;
            private string? _vanishNext;

            public bool Armed { get; set; }

            public bool Vanished { get; private set; }

            public override bool Exists(string? path)
            {
                var exists = base.Exists(path);
                _lookedAt = exists ? path : null;
                return exists;
            }

            public override byte[] ReadAllBytes(string path)
            {
                if (Armed && !Vanished && path == _lookedAt && System.IO.Path.GetFileName(path) == fileName && --_reads == 0)
                {
                    if (afterRead)
                    {
                        _vanishNext = path;
                    }
                    else
                    {
                        Vanished = true;
                        base.Delete(path);
                    }
                }

                return base.ReadAllBytes(path);
            }

            public override UnixFileMode GetUnixFileMode(string path)
            {
                if (path == _vanishNext)
                {
                    _vanishNext = null;
                    Vanished = true;
                    base.Delete(path);
                }

                return base.GetUnixFileMode(path);
            }
        }
    }

    /// <summary>
    /// Runs the real steps, journaled as the reconfigurer journals them, up to <paramref name="step"/>, then stops as a
    /// crash would: before that step did anything, or after it did all it does (before the next step is journaled).
    /// </summary>
    private static async Task CrashAtAsync(SystemdHarness sut, string step, bool stepDone)
    {
        var journal = sut.Get<ReconfigurationJournal>();
        var run = sut.NewRun();
        foreach (var current in sut.Get<ReconfigurationSequence>().Steps)
        {
            run.Journal.Step = current.Name;
            journal.Write(sut.Runner, run.Journal);
            if (current.Name == step && !stepDone)
            {
                return;
            }

            await current.RunAsync(run, default);
            if (current.Name == step)
            {
                return;
            }
        }
    }
}
