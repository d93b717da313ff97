using System.IO.Abstractions;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace RunnerTokens.GitHub;

/// <summary>
/// The GitHub side's small JSON files in a state folder (rate limits, answers with ETags, installation ids, when a
/// runner was last asked about): read only when they are regular files of a sane size, never through a symbolic link
/// and never a FIFO or a device (a read must not block); written atomically, mode 600, the folder created mode 700.
/// </summary>
internal static class StateFile
{
    /// <summary>The file's content; <see langword="null"/> when it is missing, not ours to read, or unreadable (it then remembers nothing, and the next write replaces it).</summary>
    public static T? TryRead<T>(IFileSystem fileSystem, string path, int maxBytes, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            var info = fileSystem.FileInfo.New(path);
            if (!info.Exists || info.LinkTarget is not null || info.Length == 0 || info.Length > maxBytes || !UnixFileStatus.MayOpen(fileSystem, path))
            {
                return null;
            }

            return JsonSerializer.Deserialize(fileSystem.File.ReadAllBytes(path), type);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Writes the file atomically, mode 600, creating its folder (mode 700) when missing.</summary>
    /// <param name="fileSystem">The file system.</param>
    /// <param name="path">The file.</param>
    /// <param name="value">What the file holds.</param>
    /// <param name="type">How it is written.</param>
    /// <param name="durable">
    /// Whether the content is flushed to disk (<c>fsync</c>) before it replaces the file: false only for a file whose
    /// loss in a crash costs no more than a question asked again.
    /// </param>
    /// <exception cref="IOException">The folder or the file cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">This user may not write there.</exception>
    public static void Write<T>(IFileSystem fileSystem, string path, T value, JsonTypeInfo<T> type, bool durable = true)
    {
        var directory = fileSystem.Path.GetDirectoryName(path)!;
        if (!fileSystem.Directory.Exists(directory))
        {
            AtomicFile.CreateOwnerOnlyDirectory(fileSystem, directory);
        }

        AtomicFile.Write(fileSystem, path, JsonSerializer.SerializeToUtf8Bytes(value, type), AtomicFile.OwnerOnly, durable: durable);
    }
}
