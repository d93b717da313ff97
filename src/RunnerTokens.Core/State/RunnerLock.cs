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
/// <para>
/// The lock is taken on <c>refresh.lock</c> and on the state folder itself: a deleted <c>refresh.lock</c> is made
/// anew, unlocked, by the next process, which would then "repair" the holder's refresh under its feet; the folder
/// cannot be deleted while it holds state.
/// </para>
/// <para>
/// A process that checks a runner again and again (the daemon) keeps both handles open between its checks and only
/// locks and unlocks them: opening and closing them was a third of the system calls of a check that finds nothing to
/// do. Once locked, a kept folder handle must still be the folder at the state folder's path (one <c>lstat</c>), else
/// it is closed and the folder opened anew: a folder deleted and made again by another process is the one that
/// process locks. Handles are kept for as many runners as the process's limit on open files leaves room for
/// (<see cref="KeptFor"/>); the others are opened and closed at each check, as before.
/// </para>
/// </remarks>
internal sealed class RunnerLock(IFileSystem fileSystem, TimeProvider timeProvider, int? keptRunners = null) : IDisposable
{
    public const string FileName = "refresh.lock";

    private const int ReadOnlyCloseOnExecNoFollow = NativeFile.ReadOnly | NativeFile.CloseOnExec | NativeFile.NoFollow;
    private const int ReadWriteCreateCloseOnExecNoFollow = NativeFile.ReadWrite | NativeFile.CloseOnExec | NativeFile.Create | NativeFile.NoFollow;

    private static readonly TimeSpan _pollInterval = TimeSpan.FromMilliseconds(200);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Kept> _kept = new(StringComparer.Ordinal);
    private int? _keptRunners = keptRunners;
    private bool _disposed;

    /// <summary>Takes the lock, waiting up to <paramref name="timeout"/>; returns null when another holder kept it.</summary>
    public async ValueTask<IDisposable?> AcquireAsync(RunnerContext runner, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var path = runner.Files.LockFile;

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

        if (TryLockKept(folder, out var held))
        {
            return held;
        }

        // The folder first, never through a link, and looked at through its handle (fstat, no second walk of its
        // path): at every check of every runner it is already an owner-only folder. Anything else (missing, a link,
        // another mode) goes the long way, which makes it, refuses a link, or makes it owner-only.
        var folderHandle = OpenOwnerOnlyFolder(folder, out var identity);

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

        return Keep(folder, file, folderHandle, identity);
    }

    /// <summary>Stops keeping the handles of <paramref name="folder"/> (a runner no longer checked); a held lock is released when its holder is done.</summary>
    public void Forget(string folder)
    {
        lock (_gate)
        {
            if (_kept.Remove(folder, out var kept))
            {
                kept.Forgotten = true;
                if (!kept.InUse)
                {
                    kept.Close();
                }
            }
        }
    }

    /// <summary>Closes every kept handle; a lock held now is released when its holder is done.</summary>
    public void Dispose()
    {
        List<string> folders;
        lock (_gate)
        {
            _disposed = true;
            folders = [.. _kept.Keys];
        }

        folders.ForEach(Forget);
    }

    /// <summary>
    /// For how many runners handles are kept: a quarter of the soft limit on open files, less 128, leaves the rest
    /// of the limit (half at least, as each runner takes two) to everything else. None anywhere but on Linux.
    /// </summary>
    internal static int KeptFor(ulong openFilesLimit) =>
        (int)Math.Clamp(((long)Math.Min(openFilesLimit, int.MaxValue) - 128) / 4, 0, int.MaxValue);

    /// <summary>
    /// Locks the kept handles of <paramref name="folder"/>: true with them in <paramref name="held"/>, or with null
    /// when another holds the lock; false when none are kept (or they are in use here, or stale), so the folder is
    /// opened the usual way.
    /// </summary>
    private bool TryLockKept(string folder, out IDisposable? held)
    {
        held = null;
        Kept? kept;
        lock (_gate)
        {
            if (!_kept.TryGetValue(folder, out kept) || kept.InUse)
            {
                // In use: another check of this runner in this process, which a new handle of the folder waits for.
                return false;
            }

            kept.InUse = true;
        }

        if (NativeFile.FLock(kept.File, NativeFile.ExclusiveNonBlocking) != 0
            || NativeFile.FLock(kept.Folder, NativeFile.ExclusiveNonBlocking) != 0)
        {
            kept.Release();
            return true;
        }

        // Locked, then still the owner-only folder at the path (not deleted and made again, not opened to others).
        if (UnixFileStatus.OwnerOnlyDirectoryIdentity(folder) != kept.Identity)
        {
            lock (_gate)
            {
                if (_kept.TryGetValue(folder, out var current) && current == kept)
                {
                    _kept.Remove(folder);
                }

                kept.Forgotten = true;
            }

            kept.Release();
            return false;
        }

        held = kept.Held;
        return true;
    }

    /// <summary>Keeps the two locked handles for the next checks, while there is room; the lock handed over either way.</summary>
    private IDisposable Keep(string folder, SafeFileHandle file, SafeFileHandle folderHandle, (long Device, long Inode)? identity)
    {
        lock (_gate)
        {
            _keptRunners ??= OperatingSystem.IsLinux() && NativeFile.OpenFilesLimits() is { } limits ? KeptFor(limits.Soft) : 0;
            if (!_disposed && identity is { } known && _kept.Count < _keptRunners && !_kept.ContainsKey(folder))
            {
                var kept = new Kept(_gate, file, folderHandle, known) { InUse = true };
                _kept.Add(folder, kept);
                return kept.Held;
            }
        }

        return new Closing(file, folderHandle);
    }

    /// <summary>A handle on the state folder, made owner-only first if it is not (or made, if missing).</summary>
    /// <exception cref="IOException">The folder is a link, or cannot be made or opened.</exception>
    private SafeFileHandle OpenOwnerOnlyFolder(string folder, out (long Device, long Inode)? identity)
    {
        var handle = NativeFile.Open(folder, ReadOnlyCloseOnExecNoFollow, 0);
        if (!handle.IsInvalid && (identity = UnixFileStatus.OwnerOnlyDirectoryIdentity(handle)) is not null)
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

        identity = UnixFileStatus.OwnerOnlyDirectoryIdentity(handle);
        return handle;
    }

    /// <summary>Both locks, on handles not kept; closing a handle releases its <c>flock</c>.</summary>
    private sealed class Closing(SafeFileHandle file, SafeFileHandle folder) : IDisposable
    {
        public void Dispose()
        {
            folder.Dispose();
            file.Dispose();
        }
    }

    /// <summary>The two handles kept for one runner's state folder, and the lock on them while <see cref="InUse"/>.</summary>
    private sealed class Kept
    {
        private readonly Lock _gate;

        public Kept(Lock gate, SafeFileHandle file, SafeFileHandle folder, (long Device, long Inode) identity)
        {
            _gate = gate;
            File = file;
            Folder = folder;
            Identity = identity;
            Held = new Unlocking(this);
        }

        public SafeFileHandle File { get; }

        public SafeFileHandle Folder { get; }

        public (long Device, long Inode) Identity { get; }

        /// <summary>What the caller disposes to release the lock; the handles stay open.</summary>
        public IDisposable Held { get; }

        /// <summary>Locked (or being locked) by a check in this process; guarded by the owner's gate.</summary>
        public bool InUse { get; set; }

        /// <summary>No longer kept: closed once released.</summary>
        public bool Forgotten { get; set; }

        /// <summary>
        /// Unlocks both handles (for every copy of them: a child process started meanwhile holds one until it runs
        /// its program), then hands them back, or closes them if they are no longer kept.
        /// </summary>
        public void Release()
        {
            NativeFile.FLock(Folder, NativeFile.Unlock);
            NativeFile.FLock(File, NativeFile.Unlock);
            lock (_gate)
            {
                InUse = false;
                if (Forgotten)
                {
                    Close();
                }
            }
        }

        public void Close()
        {
            Folder.Dispose();
            File.Dispose();
        }

        private sealed class Unlocking(Kept kept) : IDisposable
        {
            public void Dispose() => kept.Release();
        }
    }
}
