using System.IO.Abstractions;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace RunnerTokens.Shared;

/// <summary>
/// Replaces a file that a process writes again and again with content of the same length (the metrics file's check
/// time stamp, at every check of a daemon) without making an inode each time: the new content goes into the file's
/// spare, <c>.NAME.spare</c> beside it (the inode the file had before the last write), which then trades places with
/// the file in one step (<c>renameat2</c> with <c>RENAME_EXCHANGE</c>). Readers see the old content or the new, never a
/// part, as with <see cref="AtomicFile.Write"/>; but ext4 neither makes nor frees an inode, which for a daemon of many
/// runners cost more than the rest of the write.
/// </summary>
/// <remarks>
/// <para>
/// Not flushed to disk, as the time stamp alone never was: a crash soon after may show the spare's content as the disk
/// last had it. So a spare is written again only at the length it has, and only while every write since it was made
/// changed nothing but what may be lost (the caller forgets it after any other write): a crash then shows a whole
/// file with the same counters and an older time stamp. A new spare is flushed to disk once, before its first
/// exchange.
/// </para>
/// <para>
/// A spare is written only when it is the file the caller swapped out last (the same device and inode), a regular
/// file of this user, and has not been the file itself for <see cref="Rest"/>: a reader that opened the file just
/// before it was swapped out has long read it. Any other file at the spare's name is removed and a new spare made; one
/// that cannot be removed (another user's, in a shared folder) makes the caller write the usual way, and so do a file
/// system without the exchange (NFS) and a C library without <c>renameat2</c>.
/// </para>
/// <para>
/// The spare is locked (<c>flock</c>) while it is written, and checked to be still the file at its name once locked,
/// so two processes that write one file never write one spare: the second writes the usual way. The lock is released
/// as soon as the spare is the file, so no reader ever finds the file locked but for that instant. A crash while the
/// spare is written leaves the file as it was and a spare that the next write writes whole.
/// </para>
/// </remarks>
internal static partial class SpareFile
{
    /// <summary>How long a file must have been swapped out before it is written again as the spare.</summary>
    public static readonly TimeSpan Rest = TimeSpan.FromSeconds(5);

    // Read and write: opening a FIFO so never blocks.
    private const int ReadWriteCloseOnExecNoFollow = NativeFile.ReadWrite | NativeFile.CloseOnExec | NativeFile.NoFollow;
    private const int CurrentDirectory = -100;
    private const uint RenameExchange = 2;

    // errno values (Linux), as the calls with SetLastError leave them.
    private const int NoSuchFile = 2;
    private const int InvalidArgument = 22;
    private const int NotImplemented = 38;
    private const int NotSupported = 95;

    private static volatile bool _exchangeMissing;

    /// <summary>What became of a write.</summary>
    public enum Outcome
    {
        /// <summary>The file has the new content; the file it was is the spare now.</summary>
        Swapped,

        /// <summary>Not written: the spare is not ready (busy, resting, in the way); write the usual way this time.</summary>
        NotNow,

        /// <summary>Not written, and never will be here (no exchange on this file system or C library): write the usual way.</summary>
        Unsupported,
    }

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> through its spare, if it can.</summary>
    /// <param name="fileSystem">The machine's file system (a test's may watch the writes).</param>
    /// <param name="path">The file, which exists (the caller wrote it before).</param>
    /// <param name="content">The whole new content.</param>
    /// <param name="mode">The file's mode.</param>
    /// <param name="spare">The device and inode of the spare as the caller left it; null when it knows none.</param>
    /// <param name="rest">How long the spare must have been swapped out (<see cref="Rest"/>).</param>
    /// <param name="stamp">The file's stamp after the write, when <see cref="Outcome.Swapped"/>.</param>
    /// <exception cref="IOException">Writing the spare failed (a full disk): the file is as it was.</exception>
    public static Outcome TryWrite(IFileSystem fileSystem, string path, ReadOnlySpan<byte> content, UnixFileMode mode, (long Device, long Inode)? spare, TimeSpan rest, out FileStamp stamp)
    {
        stamp = default;
        if (_exchangeMissing || OperatingSystem.IsWindows())
        {
            return Outcome.Unsupported;
        }

        var sparePath = PathFor(path);
        using var handle = OpenSpare(sparePath, spare, content.Length, rest, out var fresh, out var permissions);
        if (handle is null)
        {
            return Outcome.NotNow;
        }

        // A spare kept from the last write has the mode already, unless someone changed it: setting it again would only
        // dirty the inode, as cutting it to its own length would.
        if (fresh || permissions != mode)
        {
            File.SetUnixFileMode(handle, mode);
        }

        // The stream writes from the start (a new handle's offset), unbuffered (the content is written whole, once),
        // and closes the handle (and so the lock) only once the exchange is done. Nothing is left to cut: a new spare is
        // empty, and a kept one has the content's length (OpenSpare).
        using var stream = fileSystem.FileStream.New(handle, FileAccess.ReadWrite, bufferSize: 0);
        stream.Write(content);
        stream.Flush(flushToDisk: fresh);

        int result;
        try
        {
            result = RenameAt2(CurrentDirectory, sparePath, CurrentDirectory, path, RenameExchange);
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            // A C library older than glibc 2.28, or without the call: so it stays for this process.
            _exchangeMissing = true;
            return NotExchanged(sparePath, fresh, Outcome.Unsupported);
        }

        if (result != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            return NotExchanged(sparePath, fresh, error is InvalidArgument or NotImplemented or NotSupported ? Outcome.Unsupported : Outcome.NotNow);
        }

        // The handle's file is the file now, and readers' turn: unlocked at once, not when the handle closes. A child
        // process started meanwhile by another thread (a config.sh, a systemctl) holds a copy of the handle until it
        // runs its program, and with it the lock, which .NET's own readers (a shared flock) would fail on.
        NativeFile.FLock(handle, NativeFile.Unlock);

        // Its stamp after the exchange, without a walk of the path.
        if (UnixFileStatus.Stamp(handle, out _) is not { } written)
        {
            return Outcome.NotNow;
        }

        stamp = written;
        return Outcome.Swapped;
    }

    /// <summary>The spare of <paramref name="path"/>: hidden, in the same folder (an exchange cannot cross file systems).</summary>
    private static string PathFor(string path) =>
        Path.Combine(Path.GetDirectoryName(path) ?? ".", $".{Path.GetFileName(path)}.spare");

    /// <summary>
    /// The spare, locked, ready to be written: the known one when it has rested and has the content's length, else a
    /// new one (<paramref name="fresh"/>); null when neither can be had now. <paramref name="permissions"/> are the kept
    /// one's.
    /// </summary>
    private static SafeFileHandle? OpenSpare(string sparePath, (long Device, long Inode)? known, int length, TimeSpan rest, out bool fresh, out UnixFileMode permissions)
    {
        fresh = true;
        permissions = UnixFileMode.None;
        var handle = NativeFile.Open(sparePath, ReadWriteCloseOnExecNoFollow, 0);
        if (handle.IsInvalid)
        {
            var error = Marshal.GetLastPInvokeError();
            handle.Dispose();
            return error == NoSuchFile || Removed(sparePath) ? CreateSpare(sparePath) : null;
        }

        // Locked, then still the file at the name: another process may have removed it and made its own meanwhile.
        if (NativeFile.FLock(handle, NativeFile.ExclusiveNonBlocking) != 0
            || UnixFileStatus.Stamp(handle, out var ownRegularFile, out permissions) is not { } status
            || UnixFileStatus.Identity(sparePath) != (status.Device, status.Inode))
        {
            handle.Dispose();
            return null;
        }

        if (known == (status.Device, status.Inode) && ownRegularFile && status.Size == length)
        {
            if (DateTimeOffset.UtcNow - status.ChangedAt >= rest)
            {
                fresh = false;
                return handle;
            }

            handle.Dispose();
            return null;
        }

        // Not the caller's spare (a process before this one left it, or someone put it there), or one of another
        // length: removed, while locked, and a new one made.
        var removed = Removed(sparePath);
        handle.Dispose();
        return removed ? CreateSpare(sparePath) : null;
    }

    /// <summary>A new spare, this process's alone (O_EXCL), locked; null when the name is taken meanwhile.</summary>
    private static SafeFileHandle? CreateSpare(string sparePath)
    {
        var handle = NativeFile.Open(sparePath, ReadWriteCloseOnExecNoFollow | NativeFile.Create | NativeFile.Exclusive, NativeFile.OwnerReadWrite);
        if (handle.IsInvalid || NativeFile.FLock(handle, NativeFile.ExclusiveNonBlocking) != 0)
        {
            handle.Dispose();
            return null;
        }

        return handle;
    }

    /// <summary>A spare made for an exchange that did not happen is removed (still locked): nothing is left beside the file.</summary>
    private static Outcome NotExchanged(string sparePath, bool fresh, Outcome outcome)
    {
        if (fresh)
        {
            Removed(sparePath);
        }

        return outcome;
    }

    private static bool Removed(string sparePath) => NativeFile.Unlink(sparePath) == 0;

    [LibraryImport("libc", EntryPoint = "renameat2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int RenameAt2(int oldDirectory, string oldPath, int newDirectory, string newPath, uint flags);
}
