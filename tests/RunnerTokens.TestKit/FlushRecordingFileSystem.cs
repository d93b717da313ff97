using System.IO.Abstractions;
using NSubstitute;

namespace RunnerTokens.TestKit;

/// <summary>
/// The real file system, recording each file stream's flush: true for one to disk (<c>fsync</c>), false for one that is
/// not. A test tells a write that survives a crash from one that may be lost.
/// </summary>
public sealed class FlushRecordingFileSystem : FileSystem
{
    private readonly IFileStreamFactory _streams;

    public FlushRecordingFileSystem()
    {
        var real = base.FileStream;
        _streams = Substitute.For<IFileStreamFactory>();
        _streams.New(Arg.Any<string>(), Arg.Any<FileMode>(), Arg.Any<FileAccess>(), Arg.Any<FileShare>())
            .Returns(call => new FlushRecordingStream(
                real.New(call.ArgAt<string>(0), call.ArgAt<FileMode>(1), call.ArgAt<FileAccess>(2), call.ArgAt<FileShare>(3)),
                this));
        _streams.New(Arg.Any<Microsoft.Win32.SafeHandles.SafeFileHandle>(), Arg.Any<FileAccess>(), Arg.Any<int>())
            .Returns(call => new FlushRecordingStream(real.New(call.ArgAt<Microsoft.Win32.SafeHandles.SafeFileHandle>(0), call.ArgAt<FileAccess>(1), call.ArgAt<int>(2)), this));
    }

    /// <summary>Gets each flush, in order, with the file it flushed (the stream's name: a temporary file's, for an atomic write).</summary>
    public List<(string File, bool ToDisk)> FlushedFiles { get; } = [];

    /// <summary>Gets each flush, in order: whether it went to disk.</summary>
    public IReadOnlyList<bool> Flushes
    {
        get
        {
            lock (FlushedFiles)
            {
                return [.. FlushedFiles.Select(f => f.ToDisk)];
            }
        }
    }

    public override IFileStreamFactory FileStream => _streams;

    private sealed class FlushRecordingStream(FileSystemStream inner, FlushRecordingFileSystem owner) : FileSystemStream(inner, inner.Name, inner.IsAsync)
    {
        public override void Flush(bool flushToDisk)
        {
            lock (owner.FlushedFiles)
            {
                owner.FlushedFiles.Add((inner.Name, flushToDisk));
            }

            inner.Flush(flushToDisk);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
