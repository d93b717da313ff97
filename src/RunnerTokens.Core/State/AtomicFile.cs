using System.IO.Abstractions;

namespace RunnerTokens.State;

/// <summary>Writes a file so that readers see the old content or the new, never a part: temporary file, flush, rename.</summary>
internal static class AtomicFile
{
    /// <summary>Read and write for the owner only: state may be read by nobody else.</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Owner may list and enter; nobody else may.</summary>
    public const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Readable by all, written by the owner: for the metrics file, which monitoring reads.</summary>
    public const UnixFileMode WorldReadable = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public static void Write(IFileSystem fileSystem, string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        var fullPath = fileSystem.Path.GetFullPath(path);
        var directory = fileSystem.Path.GetDirectoryName(fullPath)
            ?? throw new IOException($"Cannot write '{fullPath}': it has no parent folder.");
        fileSystem.Directory.CreateDirectory(directory);

        var temporary = fileSystem.Path.Combine(directory, $".{fileSystem.Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = fileSystem.FileStream.New(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                // Set the mode before the content goes in, so a secret is never readable by others, even briefly.
                SetMode(fileSystem, temporary, mode);
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            fileSystem.File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(fileSystem, temporary);
            throw;
        }
    }

    public static void CreateOwnerOnlyDirectory(IFileSystem fileSystem, string path)
    {
        if (fileSystem.Directory.Exists(path))
        {
            return;
        }

        fileSystem.Directory.CreateDirectory(path);
        SetMode(fileSystem, path, OwnerOnlyDirectory);
    }

    private static void SetMode(IFileSystem fileSystem, string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            fileSystem.File.SetUnixFileMode(path, mode);
        }
    }

    private static void TryDelete(IFileSystem fileSystem, string path)
    {
        try
        {
            fileSystem.File.Delete(path);
        }
        catch (IOException)
        {
            // The original error matters more than a leftover temporary file.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
