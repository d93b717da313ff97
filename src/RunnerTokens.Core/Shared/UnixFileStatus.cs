using System.IO.Abstractions;
using System.Runtime.InteropServices;

namespace RunnerTokens.Shared;

/// <summary>
/// What a path is on Unix (regular file, folder, FIFO, socket, device, link), who owns it, and which file it is (device
/// and inode): .NET has no public API for any of these. Opening a FIFO to read it blocks until a writer comes, so every
/// file the refresher does not own itself is looked at before it is opened.
/// </summary>
/// <remarks>
/// Calls the runtime's own native shim (<c>libSystem.Native</c>, which <c>FileSystemInfo</c> uses, statically linked in
/// native AOT) rather than libc, whose <c>struct stat</c> differs by architecture. Shared source: compiled into Core,
/// and linked into Systemd, where it stays internal.
/// </remarks>
internal static partial class UnixFileStatus
{
    private const int TypeMask = 0xF000;
    private const int Fifo = 0x1000;
    private const int CharacterDevice = 0x2000;
    private const int Directory = 0x4000;
    private const int BlockDevice = 0x6000;
    private const int Regular = 0x8000;
    private const int SymbolicLink = 0xA000;
    private const int Socket = 0xC000;

    /// <summary>Why <paramref name="path"/> (its target, if a link) must not be opened for reading; null when it is a regular file, or is missing (the caller's own check says so).</summary>
    public static string? NotRegularProblem(string path) =>
        Stat(path, followLinks: true) is { } status && (status.Mode & TypeMask) != Regular
            ? $"{path} is not a regular file (it is {Describe(status.Mode)}); it is not opened"
            : null;

    /// <summary>
    /// Reads a whole file that the refresher does not own: refuses anything but a regular file, with
    /// <see cref="IOException"/>. Only the real file system is looked at (a test double has no FIFOs).
    /// </summary>
    public static byte[] ReadAllBytes(IFileSystem fileSystem, string path) =>
        IsReal(fileSystem) && NotRegularProblem(path) is { } problem
            ? throw new IOException(problem)
            : fileSystem.File.ReadAllBytes(path);

    /// <summary>
    /// Whether <paramref name="path"/> may be opened to read: not a FIFO or a device, which would block or never end.
    /// Only the real file system is looked at (a test double has no FIFOs).
    /// </summary>
    public static bool MayOpen(IFileSystem fileSystem, string path) => !IsReal(fileSystem) || NotRegularProblem(path) is null;

    /// <summary>Whether <paramref name="fileSystem"/> is the machine's, whose paths this class can look at.</summary>
    public static bool IsReal(IFileSystem fileSystem) => fileSystem is FileSystem;

    /// <summary>Whether <paramref name="path"/> itself (not a link's target) is a symbolic link.</summary>
    public static bool IsSymbolicLink(string path) =>
        Stat(path, followLinks: false) is { } status && (status.Mode & TypeMask) == SymbolicLink;

    /// <summary>Whether <paramref name="path"/> itself (not a link's target) is a folder that only its owner may read, write or enter (mode 700).</summary>
    public static bool IsOwnerOnlyDirectory(string path) =>
        OwnerOnlyDirectoryIdentity(Path.TrimEndingDirectorySeparator(path)) is not null;

    /// <summary>
    /// The device and inode of the file open in <paramref name="handle"/> when it is a folder that only its owner may
    /// read, write or enter (mode 700); else null: one <c>fstat</c>, no path.
    /// </summary>
    public static (long Device, long Inode)? OwnerOnlyDirectoryIdentity(Microsoft.Win32.SafeHandles.SafeFileHandle handle) =>
        !OperatingSystem.IsWindows() && FStat(handle, out var status) == 0 && IsOwnerOnlyDirectory(status) ? (status.Dev, status.Ino) : null;

    /// <summary>The device and inode of <paramref name="path"/> itself (not a link's target) when it is a folder that only its owner may read, write or enter (mode 700); else null.</summary>
    public static (long Device, long Inode)? OwnerOnlyDirectoryIdentity(string path) =>
        Stat(path, followLinks: false) is { } status && IsOwnerOnlyDirectory(status) ? (status.Dev, status.Ino) : null;

    /// <summary>
    /// Why the file at <paramref name="path"/> cannot be trusted: writable by its group or others, or owned by someone
    /// other than this user or the owner of its folder (who could replace it anyway). Null when it can be, or is missing.
    /// </summary>
    public static string? UntrustedProblem(string path)
    {
        if (Stat(path, followLinks: false) is not { } status)
        {
            return null;
        }

        if ((status.Mode & TypeMask) == SymbolicLink)
        {
            return $"{path} is a symbolic link; it must be a regular file";
        }

        if ((status.Mode & 0b000_010_010) != 0)
        {
            return $"{path} is writable by users other than its owner (mode {Convert.ToString(status.Mode & 0xFFF, 8)}); make it writable by its owner only (chmod go-w)";
        }

        var me = GetEffectiveUserId();
        if (status.Uid == me)
        {
            return null;
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        var folderOwner = folder is null ? null : Stat(folder, followLinks: true)?.Uid;
        return status.Uid == folderOwner
            ? null
            : $"{path} is owned by user id {status.Uid}, not by this user (id {me}) nor by the owner of its folder; another user may have planted it";
    }

    /// <summary>The stamp of the file at <paramref name="path"/> (following a link): one <c>stat</c>; null when it is missing or on Windows.</summary>
    public static FileStamp? Stamp(string path) =>
        Stat(path, followLinks: true) is { } status
            ? ToStamp(status)
            : null;

    /// <summary>
    /// The stamp of the file open in <paramref name="handle"/>, and whether it is a regular file of this user: one
    /// <c>fstat</c>, no path. Null when it cannot be looked at, or on Windows.
    /// </summary>
    public static FileStamp? Stamp(Microsoft.Win32.SafeHandles.SafeFileHandle handle, out bool ownRegularFile) =>
        Stamp(handle, out ownRegularFile, out _);

    /// <summary>The same, with the file's permission bits (<see cref="UnixFileMode"/>'s values).</summary>
    public static FileStamp? Stamp(Microsoft.Win32.SafeHandles.SafeFileHandle handle, out bool ownRegularFile, out UnixFileMode permissions)
    {
        ownRegularFile = false;
        permissions = UnixFileMode.None;
        if (OperatingSystem.IsWindows() || FStat(handle, out var status) != 0)
        {
            return null;
        }

        ownRegularFile = (status.Mode & TypeMask) == Regular && status.Uid == GetEffectiveUserId();
        permissions = (UnixFileMode)(status.Mode & 0xFFF);
        return ToStamp(status);
    }

    /// <summary>The device and inode of the file open in <paramref name="stream"/>; null where unknown.</summary>
    public static (long Device, long Inode)? Identity(FileSystemStream stream)
    {
        if (OperatingSystem.IsWindows() || stream is not { } || UnwrapHandle(stream) is not { } handle)
        {
            return null;
        }

        return FStat(handle, out var status) == 0 ? (status.Dev, status.Ino) : null;
    }

    /// <summary>The device and inode of the file at <paramref name="path"/> (not following a link); null where missing or unknown.</summary>
    public static (long Device, long Inode)? Identity(string path) =>
        Stat(path, followLinks: false) is { } status ? (status.Dev, status.Ino) : null;

    /// <summary>The handle of the machine's file open in <paramref name="stream"/>; null for a test double's stream.</summary>
    public static Microsoft.Win32.SafeHandles.SafeFileHandle? UnwrapHandle(FileSystemStream stream)
    {
        try
        {
            return ((FileStream)stream).SafeFileHandle;
        }
        catch (InvalidCastException)
        {
            // A test double (MockFileSystem): no file behind it.
            return null;
        }
    }

    private static string Describe(int mode) => (mode & TypeMask) switch
    {
        Fifo => "a FIFO",
        CharacterDevice => "a character device",
        Directory => "a folder",
        BlockDevice => "a block device",
        SymbolicLink => "a symbolic link",
        Socket => "a socket",
        _ => "not a file",
    };

    private static FileStamp ToStamp(FileStatus status) =>
        new(status.Dev, status.Ino, status.Size, status.MTime, status.MTimeNsec, status.CTime, status.CTimeNsec);

    private static bool IsOwnerOnlyDirectory(FileStatus status) =>
        (status.Mode & TypeMask) == Directory && (status.Mode & 0xFFF) == 0b111_000_000;

    private static FileStatus? Stat(string path, bool followLinks)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        var result = followLinks ? StatPath(path, out var status) : LStatPath(path, out status);
        return result == 0 ? status : null;
    }

    private static uint GetEffectiveUserId() => GetEUid();

    /// <summary>The runtime's <c>FileStatus</c> (src/native/libs/System.Native/pal_io.h): the same layout on every architecture.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct FileStatus
    {
        public int Flags;
        public int Mode;
        public uint Uid;
        public uint Gid;
        public long Size;
        public long ATime;
        public long ATimeNsec;
        public long MTime;
        public long MTimeNsec;
        public long CTime;
        public long CTimeNsec;
        public long BirthTime;
        public long BirthTimeNsec;
        public long Dev;
        public long RDev;
        public long Ino;
        public uint UserFlags;
    }

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatPath(string path, out FileStatus output);

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_LStat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LStatPath(string path, out FileStatus output);

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_FStat")]
    private static partial int FStat(Microsoft.Win32.SafeHandles.SafeFileHandle fd, out FileStatus output);

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_GetEUid")]
    private static partial uint GetEUid();
}
