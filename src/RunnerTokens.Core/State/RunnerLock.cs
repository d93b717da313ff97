using System.IO.Abstractions;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace RunnerTokens.State;

/// <summary>
/// An exclusive lock on one runner, held in its state folder while the engine repairs, checks and refreshes it,
/// so a cron run and a daemon (two processes) never work on one runner at once. On Unix the handle takes an
/// advisory <c>flock</c>, which the kernel releases when the process dies: a crash leaves no stale lock.
/// </summary>
/// <remarks>
/// The lock is taken on <c>refresh.lock</c> and on the state folder itself: a deleted <c>refresh.lock</c> is made
/// anew, unlocked, by the next process, which would then "repair" the holder's refresh under its feet; the folder
/// cannot be deleted while it holds state.
/// </remarks>
internal sealed partial class RunnerLock(IFileSystem fileSystem, TimeProvider timeProvider)
{
    public const string FileName = "refresh.lock";

    private const int ReadOnlyCloseOnExecNoFollow = 0x0000 | 0x0010 | 0x0200;
    private const int ExclusiveNonBlocking = 2 | 4;

    private static readonly TimeSpan _pollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>Takes the lock, waiting up to <paramref name="timeout"/>; returns null when another holder kept it.</summary>
    public async Task<IDisposable?> AcquireAsync(RunnerContext runner, TimeSpan timeout, CancellationToken cancellationToken)
    {
        AtomicFile.CreateOwnerOnlyDirectory(fileSystem, runner.StateDirectory);
        var path = fileSystem.Path.Combine(runner.StateDirectory, FileName);
        if (UnixFileStatus.IsReal(fileSystem) && UnixFileStatus.IsSymbolicLink(path))
        {
            // Opening it would open (and create) whatever it points to.
            throw new IOException($"{path} is a symbolic link; remove it (the lock file is made anew)");
        }

        var deadline = timeProvider.GetUtcNow() + timeout;
        while (true)
        {
            try
            {
                return TryAcquire(runner.StateDirectory, path) ?? throw new IOException($"{runner.StateDirectory} is locked");
            }
            catch (IOException) when (timeProvider.GetUtcNow() < deadline)
            {
                await Task.Delay(_pollInterval, timeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                return null;
            }
        }
    }

    /// <summary>Locks the file, then the folder; null when the folder is held by another.</summary>
    private IDisposable? TryAcquire(string folder, string path)
    {
        var file = fileSystem.FileStream.New(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        if (!UnixFileStatus.IsReal(fileSystem) || OperatingSystem.IsWindows())
        {
            return file;
        }

        var folderHandle = Open(folder, ReadOnlyCloseOnExecNoFollow, 0);
        if (folderHandle.IsInvalid)
        {
            folderHandle.Dispose();
            file.Dispose();
            throw new IOException($"{folder} cannot be opened to lock it (error {Marshal.GetLastPInvokeError()})");
        }

        if (FLock(folderHandle, ExclusiveNonBlocking) != 0)
        {
            folderHandle.Dispose();
            file.Dispose();
            return null;
        }

        return new Held(file, folderHandle);
    }

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial SafeFileHandle Open(string path, int flags, int mode);

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_FLock", SetLastError = true)]
    private static partial int FLock(SafeFileHandle fd, int operation);

    /// <summary>Both locks; closing a handle releases its <c>flock</c>.</summary>
    private sealed class Held(FileSystemStream file, SafeFileHandle folder) : IDisposable
    {
        public void Dispose()
        {
            folder.Dispose();
            file.Dispose();
        }
    }
}
