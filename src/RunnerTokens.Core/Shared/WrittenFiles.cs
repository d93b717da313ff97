using System.Diagnostics.CodeAnalysis;
using System.IO.Abstractions;

namespace RunnerTokens.Shared;

/// <summary>
/// What this process last wrote to each file, kept while one <c>stat</c> shows the file exactly as it was right after
/// the write (<see cref="FileStamp"/>: same inode, size, modification and change times): nobody replaced or touched
/// it, so it need not be read back. Without a real Unix file system nothing is kept. Not thread-safe: each owner
/// calls it under its own lock.
/// </summary>
/// <typeparam name="T">What the owner keeps of a write (the values it wrote, their bytes, when).</typeparam>
internal sealed class WrittenFiles<T>(IFileSystem fileSystem)
    where T : class
{
    private readonly bool _real = UnixFileStatus.IsReal(fileSystem) && !OperatingSystem.IsWindows();
    private readonly Dictionary<string, (FileStamp Stamp, T Value)> _written = new(StringComparer.Ordinal);

    /// <summary>Right after writing <paramref name="path"/>: keeps <paramref name="value"/> with the file's stamp now.</summary>
    public void Remember(string path, T value)
    {
        if (_real && UnixFileStatus.Stamp(path) is { } stamp)
        {
            _written[path] = (stamp, value);
        }
        else
        {
            _written.Remove(path);
        }
    }

    /// <summary>What was last written to <paramref name="path"/>, without looking at the file (it may have changed since).</summary>
    public bool TryPeek(string path, [NotNullWhen(true)] out T? value)
    {
        var known = _written.TryGetValue(path, out var written);
        value = known ? written.Value : null;
        return known;
    }

    /// <summary>What was last written to <paramref name="path"/>, when the file is still as it was written; else forgets it.</summary>
    public bool TryGet(string path, [NotNullWhen(true)] out T? value)
    {
        if (_written.TryGetValue(path, out var written))
        {
            if (UnixFileStatus.Stamp(path) == written.Stamp)
            {
                value = written.Value;
                return true;
            }

            _written.Remove(path);
        }

        value = null;
        return false;
    }
}
