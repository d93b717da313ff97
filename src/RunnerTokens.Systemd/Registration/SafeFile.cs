using System.IO.Abstractions;

namespace RunnerTokens.Systemd;

/// <summary>
/// Writes a file so that readers see the old content or the new, never a part: temporary file in the same folder,
/// mode set before any content, flush to disk, rename. Core's equivalent is internal to Core.
/// </summary>
internal static class SafeFile
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode OwnerOnlyDirectory = OwnerOnly | UnixFileMode.UserExecute;

    public static void Write(IFileSystem fileSystem, string path, ReadOnlySpan<byte> content, UnixFileMode mode, DateTime? lastWriteTimeUtc = null)
    {
        var directory = fileSystem.Path.GetDirectoryName(path) ?? throw new IOException($"Cannot write '{path}': it has no parent folder.");
        var temporary = fileSystem.Path.Combine(directory, $".{fileSystem.Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = fileSystem.FileStream.New(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                SetMode(fileSystem, temporary, mode);
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            if (lastWriteTimeUtc is { } time)
            {
                fileSystem.File.SetLastWriteTimeUtc(temporary, time);
            }

            fileSystem.File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(fileSystem, temporary);
            throw;
        }
    }

    public static void CreateOwnerOnlyDirectory(IFileSystem fileSystem, string path)
    {
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
