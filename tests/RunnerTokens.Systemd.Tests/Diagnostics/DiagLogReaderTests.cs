using System.IO.Abstractions.TestingHelpers;
using System.IO.Abstractions;
using System.Text;
using RunnerTokens.Shared;
using RunnerTokens.TestKit;

namespace RunnerTokens.Systemd.Tests.Diagnostics;

/// <summary>What the listener logged since a snapshot taken right before the start: new logs and the grown part of old ones.</summary>
public sealed class DiagLogReaderTests
{
    private const string RunnerDirectory = "/runners/runner-1";
    private const string Diag = RunnerDirectory + "/_diag";

    private readonly MockFileSystem _fileSystem = new();

    [Fact]
    public void ReadSince_NewListenerLogSaysListening_Listening()
    {
        var sut = new DiagLogReader(_fileSystem);
        Write("Runner_20261125-110000-utc.log", "[2026-11-25 11:00:00Z INFO Terminal] WRITE LINE: 2026-11-25 11:00:00Z: Listening for Jobs");
        var before = sut.Snapshot(RunnerDirectory);
        Write("Runner_20261125-120000-utc.log", "[2026-11-25 12:00:00Z INFO CommandSettings] Command 'run': 'True'", "[2026-11-25 12:00:02Z INFO Terminal] WRITE LINE: 2026-11-25 12:00:02Z: Listening for Jobs");

        var progress = sut.ReadSince(RunnerDirectory, before);

        Assert.True(progress.Listening);
        Assert.Equal(["Runner_20261125-120000-utc.log"], progress.Logs);
    }

    [Fact]
    public void ReadSince_ListeningOnlyBeforeTheSnapshotInAGrownLog_NotListening()
    {
        var sut = new DiagLogReader(_fileSystem);
        Write("Runner_20261125-110000-utc.log", "[2026-11-25 11:00:00Z INFO Terminal] WRITE LINE: 2026-11-25 11:00:00Z: Listening for Jobs");
        var before = sut.Snapshot(RunnerDirectory);
        Append("Runner_20261125-110000-utc.log", "[2026-11-25 12:00:00Z ERR  Terminal] WRITE ERROR: 2026-11-25 12:00:00Z: Runner connect error: timeout. Retrying until reconnected.");

        var progress = sut.ReadSince(RunnerDirectory, before);

        Assert.False(progress.Listening);
        Assert.Null(progress.Terminal);
        Assert.Contains("Runner connect error", progress.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadSince_NewConfigShLog_Ignored()
    {
        var sut = new DiagLogReader(_fileSystem);
        var before = sut.Snapshot(RunnerDirectory);
        Write("Runner_20261125-120000-utc.log", "[2026-11-25 12:00:00Z INFO CommandSettings] Command 'configure': 'True'", "[2026-11-25 12:00:01Z ERR  Terminal] WRITE ERROR: Failed to create session. x");

        var progress = sut.ReadSince(RunnerDirectory, before);

        Assert.Empty(progress.Logs);
        Assert.Null(progress.Terminal);
    }

    [Fact]
    public void ReadSince_TerminalAfterListening_Terminal()
    {
        var sut = new DiagLogReader(_fileSystem);
        var before = sut.Snapshot(RunnerDirectory);
        Write(
            "Runner_20261125-120000-utc.log",
            "[2026-11-25 12:00:02Z INFO Terminal] WRITE LINE: 2026-11-25 12:00:02Z: Listening for Jobs",
            "[2026-11-25 12:00:09Z ERR  Terminal] WRITE ERROR: Runner OAuth token has been revoked. Shutting down.");

        var progress = sut.ReadSince(RunnerDirectory, before);

        Assert.False(progress.Listening);
        Assert.Contains("revoked", progress.Terminal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_NewestLogIsAFifo_PassedOverInsteadOfBlocking()
    {
        using var temp = new TempDirectory("diag");
        var diag = temp.Combine("_diag");
        Directory.CreateDirectory(diag);
        var older = Path.Combine(diag, "Runner_20261125-110000-utc.log");
        File.WriteAllText(older, "[2026-11-25 11:00:00Z ERR  Runner] Runner OAuth token has been revoked. Unable to pull message.\n");
        File.SetLastWriteTimeUtc(older, DateTime.UtcNow.AddMinutes(-5));
        Fifo.Make(Path.Combine(diag, "Runner_20261125-120000-utc.log"));

        var verdict = await Fifo.WithinLimitAsync(() => new DiagLogReader(new FileSystem()).Read(temp.Path));

        Assert.True(verdict.Terminal);
        Assert.Contains("Runner_20261125-110000-utc.log", verdict.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_AfterAKeptVerdict_ATerminalLineLoggedOrANewLogIsSeen()
    {
        using var runner = new TempDirectory("diag");
        var diag = Directory.CreateDirectory(runner.Combine("_diag")).FullName;
        File.WriteAllText(runner.Combine(".runner"), "{}");
        File.SetLastWriteTimeUtc(runner.Combine(".runner"), new DateTime(2026, 11, 25, 10, 0, 0, DateTimeKind.Utc));
        var log = Path.Combine(diag, "Runner_20261125-110000-utc.log");
        File.WriteAllText(log, "[2026-11-25 11:00:00Z INFO Terminal] WRITE LINE: 2026-11-25 11:00:00Z: Listening for Jobs\n");
        await Task.Delay(FileStamp.SettleTime + TimeSpan.FromMilliseconds(100));
        var sut = new DiagLogReader(new FileSystem());
        Assert.False(sut.Read(runner.Path).Terminal);
        Assert.False(sut.Read(runner.Path).Terminal);

        // The listener's own log grows: the daemon's next check sees the deletion it logged.
        File.AppendAllText(log, "[2026-11-25 12:00:00Z ERR  Runner] WRITE ERROR: 2026-11-25 12:00:00Z: Failed to create session. The runner registration has been deleted from the server, please re-configure.\n");
        Assert.True(sut.Read(runner.Path).Terminal);

        // A new listener log (the runner started again and is listening): the folder changed, the new log is read.
        await Task.Delay(FileStamp.SettleTime + TimeSpan.FromMilliseconds(100));
        Assert.True(sut.Read(runner.Path).Terminal);
        File.WriteAllText(Path.Combine(diag, "Runner_20261125-130000-utc.log"), "[2026-11-25 13:00:00Z INFO Terminal] WRITE LINE: 2026-11-25 13:00:00Z: Listening for Jobs\n");
        Assert.False(sut.Read(runner.Path).Terminal);
    }

    private void Write(string name, params string[] lines) =>
        _fileSystem.AddFile(Diag + "/" + name, new MockFileData(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n")));

    private void Append(string name, params string[] lines) =>
        _fileSystem.File.AppendAllText(Diag + "/" + name, string.Join('\n', lines) + "\n");
}
