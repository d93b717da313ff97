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
internal sealed class RunnerLock(IFileSystem fileSystem, TimeProvider timeProvider)
{
    public const string FileName = "refresh.lock";

    private const int ReadOnlyCloseOnExecNoFollow = NativeFile.ReadOnly | NativeFile.CloseOnExec | NativeFile.NoFollow;
    private const int ReadWriteCreateCloseOnExecNoFollow = NativeFile.ReadWrite | NativeFile.CloseOnExec | NativeFile.Create | NativeFile.NoFollow;

    private static readonly TimeSpan _pollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>Takes the lock, waiting up to <paramref name="timeout"/>; returns null when another holder kept it.</summary>
    public async Task<IDisposable?> AcquireAsync(RunnerContext runner, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var path = fileSystem.Path.Combine(runner.StateDirectory, FileName);

        var deadline = timeProvider.GetUtcNow() + timeout;
        while (true)
        {
#pragma warning disable CA2000 // Not disposed here: the lock passes to the caller, who releases it by disposing.
            var held = TryAcquire(runner.StateDirectory, path);
#pragma warning restore CA2000
            if (held is not null)
            {
                return held;
            }

            if (timeProvider.GetUtcNow() >= deadline)
            {
                return null;
            }

            await Task.Delay(_pollInterval, timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Locks the file, then the folder; null when either is held by another.</summary>
    /// <exception cref="IOException">The lock file or the folder cannot be opened (a link, a folder in the way).</exception>
    private IDisposable? TryAcquire(string folder, string path)
    {
        if (!UnixFileStatus.IsReal(fileSystem) || OperatingSystem.IsWindows())
        {
            // A test double, or Windows: the stream's own share mode is the lock.
            AtomicFile.CreateOwnerOnlyDirectory(fileSystem, folder);
            try
            {
                return fileSystem.FileStream.New(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                return null;
            }
        }

        // The folder first, never through a link, and looked at through its handle (fstat, no second walk of its
        // path): at every check of every runner it is already an owner-only folder. Anything else (missing, a link,
        // another mode) goes the long way, which makes it, refuses a link, or makes it owner-only.
        var folderHandle = OpenOwnerOnlyFolder(folder);

        // The lock file, never through a link either: opening one would open (and create) whatever it points to.
        var file = NativeFile.Open(path, ReadWriteCreateCloseOnExecNoFollow, NativeFile.OwnerReadWrite);
        if (file.IsInvalid)
        {
            var error = Marshal.GetLastPInvokeError();
            file.Dispose();
            folderHandle.Dispose();
            throw new IOException(UnixFileStatus.IsSymbolicLink(path)
                ? $"{path} is a symbolic link; remove it (the lock file is made anew)"
                : $"{path} cannot be opened to lock it: {Marshal.GetPInvokeErrorMessage(error)}");
        }

        if (NativeFile.FLock(file, NativeFile.ExclusiveNonBlocking) != 0 || NativeFile.FLock(folderHandle, NativeFile.ExclusiveNonBlocking) != 0)
        {
            folderHandle.Dispose();
            file.Dispose();
            return null;
        }

        return new Held(file, folderHandle);
    }

    /// <summary>A handle on the state folder, made owner-only first if it is not (or made, if missing).</summary>
    /// <exception cref="IOException">The folder is a link, or cannot be made or opened.</exception>
    private SafeFileHandle OpenOwnerOnlyFolder(string folder)
    {
        var handle = NativeFile.Open(folder, ReadOnlyCloseOnExecNoFollow, 0);
        if (!handle.IsInvalid && UnixFileStatus.IsOwnerOnlyDirectory(handle))
        {
            return handle;
        }

        handle.Dispose();
        AtomicFile.CreateOwnerOnlyDirectory(fileSystem, folder);
        handle = NativeFile.Open(folder, ReadOnlyCloseOnExecNoFollow, 0);
        if (handle.IsInvalid)
        {
            var error = Marshal.GetLastPInvokeError();
            handle.Dispose();
            throw new IOException($"{folder} cannot be opened to lock it: {Marshal.GetPInvokeErrorMessage(error)}");
        }

        return handle;
    }

    /// <summary>Both locks; closing a handle releases its <c>flock</c>.</summary>
    private sealed class Held(SafeFileHandle file, SafeFileHandle folder) : IDisposable
    {
        public void Dispose()
        {
            folder.Dispose();
            file.Dispose();
        }
    }
}
