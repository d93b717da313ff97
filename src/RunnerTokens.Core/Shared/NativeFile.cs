using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace RunnerTokens.Shared;

/// <summary>
/// The runtime's own native calls on files that .NET has no public form of: opening without following a link,
/// <c>flock</c> without the stream's share rules, and the limits on open files. Calls <c>libSystem.Native</c>
/// (statically linked in Native AOT), whose flags are the same on every Unix. Shared source: compiled into Core, and
/// linked into Host, where it stays internal.
/// </summary>
internal static partial class NativeFile
{
    // System.Native's portable open flags (PAL_O_*).
    public const int ReadOnly = 0x0000;
    public const int ReadWrite = 0x0002;
    public const int CloseOnExec = 0x0010;
    public const int Create = 0x0020;
    public const int Exclusive = 0x0040;
    public const int NoFollow = 0x0200;

    /// <summary>Read and write for the owner only: the mode a new file is made with.</summary>
    public const int OwnerReadWrite = 0b110_000_000;

    /// <summary>System.Native's PAL_LOCK_EX | PAL_LOCK_NB: an exclusive lock, or failure at once.</summary>
    public const int ExclusiveNonBlocking = 2 | 4;

    /// <summary>System.Native's PAL_LOCK_UN: releases the lock, for every copy of the handle (a child process's too).</summary>
    public const int Unlock = 8;

    /// <summary>Opens <paramref name="path"/>; an invalid handle, with the error in <see cref="Marshal.GetLastPInvokeError"/>, when it cannot.</summary>
    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial SafeFileHandle Open(string path, int flags, int mode);

    /// <summary>Locks or unlocks the file open in <paramref name="fd"/>; 0 when done.</summary>
    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_FLock", SetLastError = true)]
    public static partial int FLock(SafeFileHandle fd, int operation);

    /// <summary>The soft and hard limits on this process's open files (<c>RLIMIT_NOFILE</c>); null when they cannot be read.</summary>
    public static (ulong Soft, ulong Hard)? OpenFilesLimits() =>
        GetRLimit(OpenFiles, out var limit) == 0 ? (limit.Current, limit.Maximum) : null;

    /// <summary>Sets the limits on this process's open files; 0 when done, with the error in <see cref="Marshal.GetLastPInvokeError"/> when not.</summary>
    public static int SetOpenFilesLimits(ulong soft, ulong hard) =>
        SetRLimit(OpenFiles, new ResourceLimit { Current = soft, Maximum = hard });

    /// <summary>Removes the name <paramref name="path"/> (a link itself, never its target); 0 when done.</summary>
    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Unlink", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Unlink(string path);

    // System.Native's PAL_RLIMIT_NOFILE.
    private const int OpenFiles = 9;

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_GetRLimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, out ResourceLimit limit);

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_SetRLimit", SetLastError = true)]
    private static partial int SetRLimit(int resource, in ResourceLimit limit);

    /// <summary>System.Native's <c>Rlimit</c>: the soft limit, then the hard one.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceLimit
    {
        public ulong Current;
        public ulong Maximum;
    }
}
