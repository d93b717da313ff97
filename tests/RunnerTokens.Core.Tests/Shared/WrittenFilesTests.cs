using System.Diagnostics;
using System.IO.Abstractions;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using NSubstitute;
using RunnerTokens.Shared;
using RunnerTokens.TestKit;

namespace RunnerTokens.Tests.Shared;

/// <summary>
/// A file written again and again (a metrics file at every check) is replaced through its spare: whole at every
/// write, on the same two inodes, never through a file someone else put at the spare's name.
/// </summary>
public sealed class WrittenFilesTests : IDisposable
{
    private const UnixFileMode WorldReadable = AtomicFile.WorldReadable;

    private readonly TempDirectory _temp = new("written");
    private readonly FileSystem _fileSystem = new();

    public void Dispose() => _temp.Dispose();

    private string Path => _temp.Combine("metrics.json");

    private string Spare => _temp.Combine(".metrics.json.spare");

    [Fact]
    public void Write_OnlyOnce_LeavesNoSpare()
    {
        var sut = new WrittenFiles<string>(_fileSystem, TimeSpan.Zero);

        sut.Write(Path, "one"u8, WorldReadable, durable: false, "one");

        // A one-shot run writes once: the usual way, nothing beside the file.
        Assert.Equal("one", File.ReadAllText(Path));
        Assert.Equal([Path], Directory.GetFiles(_temp.Path));
    }

    [Fact]
    public void Write_AgainAndAgain_WholeEachTimeOnTheSameTwoInodes()
    {
        var sut = new WrittenFiles<string>(_fileSystem, TimeSpan.Zero);
        string[] contents = ["check at 1795608000", "check at 1795608060", "check at 1795608120", "check at 1795608180", "check at 1795608240", "check at 1795608300"];
        var inodes = new List<long>();

        foreach (var content in contents)
        {
            sut.Write(Path, Encoding.UTF8.GetBytes(content), WorldReadable, durable: false, content);

            Assert.Equal(content, File.ReadAllText(Path));
            Assert.Equal(WorldReadable, File.GetUnixFileMode(Path));
            inodes.Add(UnixFileStatus.Identity(Path)!.Value.Inode);
            Assert.True(sut.TryGet(Path, out var kept));
            Assert.Equal(content, kept);
        }

        // From the second write on, the file and its spare trade places: no inode is made or freed.
        Assert.Equal(2, inodes.Skip(1).Distinct().Count());
        Assert.Equal([Spare, Path], Directory.GetFiles(_temp.Path).Order());
        Assert.Equal(contents[^2], File.ReadAllText(Spare));
    }

    [Fact]
    public void Write_SpareModeChangedBetweenWrites_TheFileGetsItsModeBack()
    {
        // arrange: a spare kept from the writes before, then made owner-only by someone else
        var sut = new WrittenFiles<string>(_fileSystem, TimeSpan.Zero);
        sut.Write(Path, "check at 1795608000"u8, WorldReadable, durable: false, "1");
        sut.Write(Path, "check at 1795608060"u8, WorldReadable, durable: false, "2");
        var spare = UnixFileStatus.Identity(Spare);
        File.SetUnixFileMode(Spare, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        // act: the kept spare is written and becomes the file
        sut.Write(Path, "check at 1795608120"u8, WorldReadable, durable: false, "3");

        // assert
        Assert.Equal(spare, UnixFileStatus.Identity(Path));
        Assert.Equal("check at 1795608120", File.ReadAllText(Path));
        Assert.Equal(WorldReadable, File.GetUnixFileMode(Path));
    }

    [Fact]
    public void Write_FileDeletedMeanwhile_WrittenAgainWithNothingBeside()
    {
        var sut = new WrittenFiles<string>(_fileSystem, TimeSpan.Zero);
        sut.Write(Path, "one"u8, WorldReadable, durable: false, "one");
        File.Delete(Path);

        // Nothing to exchange with: the spare made for it goes, and the file is written the usual way.
        sut.Write(Path, "two"u8, WorldReadable, durable: false, "two");

        Assert.Equal("two", File.ReadAllText(Path));
        Assert.Equal([Path], Directory.GetFiles(_temp.Path));
    }

    [Fact]
    public void Write_AnotherLength_NewSpareAndWholeEachTime()
    {
        var sut = new WrittenFiles<string>(_fileSystem, TimeSpan.Zero);
        sut.Write(Path, "aaaa"u8, WorldReadable, durable: false, "aaaa");
        sut.Write(Path, "bbbb"u8, WorldReadable, durable: false, "bbbb");
        using var spare = OpenWithoutLock(Spare);

        // A spare is written again only at its own length (after a crash, a file cut or grown to the new length
        // around content the disk had of the old could show): another length gets a new spare.
        sut.Write(Path, "cc"u8, WorldReadable, durable: false, "cc");

        var buffer = new byte[100];
        Assert.Equal("aaaa", Encoding.UTF8.GetString(buffer, 0, RandomAccess.Read(spare, buffer, 0)));
        foreach (var content in new[] { "a first, rather long content", "short", "a third content, longer than the second", "4", "4" })
        {
            sut.Write(Path, Encoding.UTF8.GetBytes(content), WorldReadable, durable: false, content);
            Assert.Equal(content, File.ReadAllText(Path));
        }

        Assert.Equal([Spare, Path], Directory.GetFiles(_temp.Path).Order());
    }

    [Fact]
    public void Write_DurableWrite_ItsSpareNeverComesBack()
    {
        var sut = new WrittenFiles<string>(_fileSystem, TimeSpan.Zero);
        sut.Write(Path, "count 1, at 100"u8, WorldReadable, durable: true, "1");
        sut.Write(Path, "count 1, at 160"u8, WorldReadable, durable: false, "1");
        using var spareWithCountOne = OpenWithoutLock(Spare);

        // A count changes: flushed, the usual way. The spare still says "count 1": were it written and exchanged
        // back, and the machine to crash before its new content reached the disk, the file would say "count 1" again.
        sut.Write(Path, "count 2, at 220"u8, WorldReadable, durable: true, "2");
        sut.Write(Path, "count 2, at 280"u8, WorldReadable, durable: false, "2");

        Assert.Equal("count 2, at 280", File.ReadAllText(Path));
        var buffer = new byte[100];
        Assert.Equal("count 1, at 100", Encoding.UTF8.GetString(buffer, 0, RandomAccess.Read(spareWithCountOne, buffer, 0)));
    }

    [Fact]
    public void Write_ReaderOpenedTheFileJustBefore_ReadsWhatItOpenedWhole()
    {
        var sut = new WrittenFiles<string>(_fileSystem);
        sut.Write(Path, "first!"u8, WorldReadable, durable: false, "first!");
        sut.Write(Path, "second"u8, WorldReadable, durable: false, "second");

        // A reader that takes no lock, as node_exporter's: .NET's own readers hold a shared flock, which alone keeps
        // the writer off the file they read.
        using var reader = OpenWithoutLock(Path);

        // The file the reader holds is swapped out by the next write; the one after must not write into it while it
        // may still be read (it has not rested).
        sut.Write(Path, "third!"u8, WorldReadable, durable: false, "third!");
        sut.Write(Path, "fourth"u8, WorldReadable, durable: false, "fourth");

        var buffer = new byte[100];
        var read = RandomAccess.Read(reader, buffer, 0);
        Assert.Equal("second", Encoding.UTF8.GetString(buffer, 0, read));
        Assert.Equal("fourth", File.ReadAllText(Path));
    }

    [Fact]
    public void Write_SpareNameIsAHardLinkToAnotherFile_ThatFileUntouched()
    {
        var sut = new WrittenFiles<string>(_fileSystem, TimeSpan.Zero);
        sut.Write(Path, "one"u8, WorldReadable, durable: false, "one");
        var other = _temp.Combine("other");
        File.WriteAllText(other, "not yours to write");
        HardLink(other, Spare);

        foreach (var content in new[] { "two", "three", "four" })
        {
            sut.Write(Path, Encoding.UTF8.GetBytes(content), WorldReadable, durable: false, content);
            Assert.Equal(content, File.ReadAllText(Path));
        }

        Assert.Equal("not yours to write", File.ReadAllText(other));
    }

    [Fact]
    public void Write_ChildProcessStartedDuringTheWrite_FileReadableAtOnce()
    {
        // A child process started by another thread while the spare is written (the daemon starting a runner's
        // config.sh) holds a copy of the spare's handle until it runs its program: each copy is kept open here.
        using var fileSystem = new HandleCopyingFileSystem();
        var sut = new WrittenFiles<string>(fileSystem, TimeSpan.Zero);

        foreach (var content in new[] { "one", "two", "three", "four" })
        {
            sut.Write(Path, Encoding.UTF8.GetBytes(content), WorldReadable, durable: false, content);

            // .NET's readers (the health check, another run's sink) take a shared flock and fail if the file is locked.
            Assert.Equal(content, File.ReadAllText(Path));
        }

        Assert.Equal(3, fileSystem.Copies.Count);
    }

    [Fact]
    public void Write_SpareNameIsASymbolicLink_ItsTargetUntouched()
    {
        var sut = new WrittenFiles<string>(_fileSystem, TimeSpan.Zero);
        sut.Write(Path, "one"u8, WorldReadable, durable: false, "one");
        var other = _temp.Combine("other");
        File.WriteAllText(other, "not yours to write");
        File.CreateSymbolicLink(Spare, other);

        sut.Write(Path, "two"u8, WorldReadable, durable: false, "two");
        sut.Write(Path, "three"u8, WorldReadable, durable: false, "three");

        Assert.Equal("three", File.ReadAllText(Path));
        Assert.Equal("not yours to write", File.ReadAllText(other));
    }

    [Fact]
    public async Task Write_SpareNameIsAFifo_WritesWithoutWaitingForAReader()
    {
        var sut = new WrittenFiles<string>(_fileSystem, TimeSpan.Zero);
        sut.Write(Path, "one"u8, WorldReadable, durable: false, "one");
        using (var mkfifo = Process.Start("mkfifo", [Spare]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var write = Task.Run(() => sut.Write(Path, "two"u8, WorldReadable, durable: false, "two"));

        Assert.Same(write, await Task.WhenAny(write, Task.Delay(TimeSpan.FromSeconds(30))));
        await write;
        Assert.Equal("two", File.ReadAllText(Path));
    }

    [Fact]
    public void Write_SpareLockedByAnotherWriter_WrittenTheUsualWaySpareLeftAlone()
    {
        var sut = new WrittenFiles<string>(_fileSystem, TimeSpan.Zero);
        sut.Write(Path, "one"u8, WorldReadable, durable: false, "one");
        sut.Write(Path, "two"u8, WorldReadable, durable: false, "two");
        Assert.Equal("one", File.ReadAllText(Spare));

        // Another process writing the same file holds the spare (.NET's FileShare.None takes an exclusive flock).
        using (new FileStream(Spare, FileMode.Open, FileAccess.Read, FileShare.None))
        {
            sut.Write(Path, "six"u8, WorldReadable, durable: false, "six");
        }

        Assert.Equal("six", File.ReadAllText(Path));
        Assert.Equal("one", File.ReadAllText(Spare));
        Assert.Equal([Spare, Path], Directory.GetFiles(_temp.Path).Order());
    }

    [Fact]
    public void Write_FileReplacedByAnotherProcess_ItsSpareNeverComesBack()
    {
        var sut = new WrittenFiles<string>(_fileSystem, TimeSpan.Zero);
        sut.Write(Path, "ours 1"u8, WorldReadable, durable: false, "ours 1");
        sut.Write(Path, "ours 2"u8, WorldReadable, durable: false, "ours 2");
        using var spare = OpenWithoutLock(Spare);

        // Another process's write in between (a cron run that counted a refresh): the spare holds counts older than
        // that write, and must not stand in for the file again.
        File.WriteAllText(Path + ".new", "theirs");
        File.Move(Path + ".new", Path, overwrite: true);
        Assert.False(sut.TryGet(Path, out _));

        foreach (var content in new[] { "ours 3", "ours 4", "ours 5" })
        {
            sut.Write(Path, Encoding.UTF8.GetBytes(content), WorldReadable, durable: false, content);
            Assert.Equal(content, File.ReadAllText(Path));
        }

        var buffer = new byte[100];
        Assert.Equal("ours 1", Encoding.UTF8.GetString(buffer, 0, RandomAccess.Read(spare, buffer, 0)));
    }

    private static SafeFileHandle OpenWithoutLock(string path)
    {
        var handle = SystemNativeOpen(path, 0x0010, 0);
        Assert.False(handle.IsInvalid);
        return handle;
    }

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Open")]
    private static extern SafeFileHandle SystemNativeOpen(string path, int flags, int mode);

    [DllImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static extern int Dup(SafeFileHandle handle);

    /// <summary>The machine's file system, which copies each handle the spare is written through (as a fork does) and keeps the copy open.</summary>
    private sealed class HandleCopyingFileSystem : FileSystem, IDisposable
    {
        private readonly IFileStreamFactory _streams;

        public HandleCopyingFileSystem()
        {
            var real = base.FileStream;
            _streams = Substitute.For<IFileStreamFactory>();
            _streams.New(Arg.Any<string>(), Arg.Any<FileMode>(), Arg.Any<FileAccess>(), Arg.Any<FileShare>())
                .Returns(call => real.New(call.ArgAt<string>(0), call.ArgAt<FileMode>(1), call.ArgAt<FileAccess>(2), call.ArgAt<FileShare>(3)));
            _streams.New(Arg.Any<SafeFileHandle>(), Arg.Any<FileAccess>(), Arg.Any<int>())
                .Returns(call =>
                {
                    var copy = Dup(call.ArgAt<SafeFileHandle>(0));
                    Assert.True(copy >= 0);
                    Copies.Add(new SafeFileHandle(copy, ownsHandle: true));
                    return real.New(call.ArgAt<SafeFileHandle>(0), call.ArgAt<FileAccess>(1), call.ArgAt<int>(2));
                });
        }

        public List<SafeFileHandle> Copies { get; } = [];

        public override IFileStreamFactory FileStream => _streams;

        public void Dispose() => Copies.ForEach(copy => copy.Dispose());
    }

    private static void HardLink(string target, string link)
    {
        using var ln = Process.Start("ln", [target, link]);
        ln.WaitForExit();
        Assert.Equal(0, ln.ExitCode);
    }
}
