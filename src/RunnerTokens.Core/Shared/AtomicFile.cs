using System.IO.Abstractions;

namespace RunnerTokens.Shared;

/// <summary>
/// Writes a file so that readers see the old content or the new, never a part: temporary file in the same folder,
/// mode set before any content, flush to disk (unless the caller can afford to lose the write in a crash), rename.
/// </summary>
/// <remarks>Shared source: compiled into Core, and linked into Systemd, where it stays internal.</remarks>
internal static class AtomicFile
{
    /// <summary>Read and write for the owner only: state may be read by nobody else.</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Owner may list and enter; nobody else may.</summary>
    public const UnixFileMode OwnerOnlyDirectory = OwnerOnly | UnixFileMode.UserExecute;

    /// <summary>Readable by all, written by the owner: for the metrics file, which monitoring reads.</summary>
    public const UnixFileMode WorldReadable = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/>, creating its folder if needed.</summary>
    /// <param name="fileSystem">The file system.</param>
    /// <param name="path">The file.</param>
    /// <param name="content">The whole new content.</param>
    /// <param name="mode">The file's mode, set before any content is written.</param>
    /// <param name="lastWriteTimeUtc">A modification time to give the file (a restored backup keeps its own); null for now.</param>
    /// <param name="durable">
    /// Whether to flush the content to disk (fsync) before the rename. Without it the write is still atomic for readers,
    /// but a crash soon after may lose it: only for content whose loss costs nothing that matters (a check's time stamp).
    /// </param>
    public static void Write(IFileSystem fileSystem, string path, ReadOnlySpan<byte> content, UnixFileMode mode, DateTime? lastWriteTimeUtc = null, bool durable = true)
    {
        var fullPath = fileSystem.Path.GetFullPath(path);
        var directory = fileSystem.Path.GetDirectoryName(fullPath)
            ?? throw new IOException($"Cannot write '{fullPath}': it has no parent folder.");
        if (!fileSystem.Directory.Exists(directory))
        {
            fileSystem.Directory.CreateDirectory(directory);
        }

        var temporary = fileSystem.Path.Combine(directory, $".{fileSystem.Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            // CreateNew (O_EXCL) makes the file ours alone; sharing it for reading spares the flock that FileShare.None takes.
            using (var stream = fileSystem.FileStream.New(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.Read))
            {
                // Set the mode before the content goes in, so a secret is never readable by others, even briefly.
                // Through the handle (fchmod) where there is one: no second walk of the path.
                if (!OperatingSystem.IsWindows() && UnixFileStatus.IsReal(fileSystem) && UnixFileStatus.UnwrapHandle(stream) is { } handle)
                {
                    File.SetUnixFileMode(handle, mode);
                }
                else
                {
                    SetMode(fileSystem, temporary, mode);
                }

                stream.Write(content);
                stream.Flush(flushToDisk: durable);
            }

            if (lastWriteTimeUtc is { } time)
            {
                fileSystem.File.SetLastWriteTimeUtc(temporary, time);
            }

            fileSystem.File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(fileSystem, temporary);
            throw;
        }
    }

    /// <summary>
    /// Creates the folder if needed and makes it owner-only, also when it existed: it holds state, and a backup of the
    /// runner's private key, that nobody else may read.
    /// </summary>
    public static void CreateOwnerOnlyDirectory(IFileSystem fileSystem, string path)
    {
        // The common case, at every check: one lstat says it is already what it must be (not a link, mode 700).
        if (UnixFileStatus.IsReal(fileSystem) && UnixFileStatus.IsOwnerOnlyDirectory(path))
        {
            return;
        }

        // chmod follows a link: a state folder that is a link would make its target owner-only and hold the state.
        if (UnixFileStatus.IsReal(fileSystem) && UnixFileStatus.IsSymbolicLink(fileSystem.Path.TrimEndingDirectorySeparator(path)))
        {
            throw new IOException($"{path} is a symbolic link; the state folder must be a real folder (remove the link, or set the state folder to its target)");
        }

        if (!fileSystem.Directory.Exists(path))
        {
            fileSystem.Directory.CreateDirectory(path);
        }

        SetMode(fileSystem, path, OwnerOnlyDirectory);
    }

    public static UnixFileMode GetMode(IFileSystem fileSystem, string path) =>
        OperatingSystem.IsWindows() ? OwnerOnly : fileSystem.File.GetUnixFileMode(path);

    private static void SetMode(IFileSystem fileSystem, string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // chmod: works on files and folders alike.
        fileSystem.File.SetUnixFileMode(path, mode);
    }

    private static void TryDelete(IFileSystem fileSystem, string path)
    {
        try
        {
            fileSystem.File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The original error matters more than a leftover temporary file.
        }
    }
}
