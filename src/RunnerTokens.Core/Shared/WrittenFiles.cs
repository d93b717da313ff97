using System.Diagnostics.CodeAnalysis;
using System.IO.Abstractions;

namespace RunnerTokens.Shared;

/// <summary>
/// What this process last wrote to each file, kept while one <c>stat</c> shows the file exactly as it was right after
/// the write (<see cref="FileStamp"/>: same inode, size, modification and change times): nobody replaced or touched
/// it, so it need not be read back; and the writes themselves, which a file rewritten again and again makes through
/// its spare (<see cref="Write"/>). Without a real Unix file system nothing is kept. Not thread-safe: each owner
/// calls it under its own lock.
/// </summary>
/// <typeparam name="T">What the owner keeps of a write (the values it wrote, their bytes, when).</typeparam>
/// <param name="fileSystem">The file system.</param>
/// <param name="spareRest">How long a spare must have been swapped out before it is written (<see cref="SpareFile.Rest"/> unless a test says).</param>
internal sealed class WrittenFiles<T>(IFileSystem fileSystem, TimeSpan? spareRest = null)
    where T : class
{
    private readonly bool _real = UnixFileStatus.IsReal(fileSystem) && !OperatingSystem.IsWindows();
    private readonly Dictionary<string, (FileStamp Stamp, T Value)> _written = new(StringComparer.Ordinal);

    // Each file's spare (SpareFile) as the last write left it: its device and inode, while every write since it was
    // made only changed what may be lost in a crash; a file whose spare cannot be exchanged (NFS) is not tried again.
    private readonly Dictionary<string, (long Device, long Inode)> _spares = new(StringComparer.Ordinal);
    private readonly HashSet<string> _noSpare = new(StringComparer.Ordinal);

    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="path"/> so that readers see the old content or the new,
    /// never a part, and keeps <paramref name="value"/> with the file's new stamp. A write that may be lost in a crash
    /// (not <paramref name="durable"/>) of a file this process wrote before is made through its spare
    /// (<see cref="SpareFile"/>: no new inode); the first write (a one-shot's only one), a durable one, and any the
    /// spare cannot take go the way of <see cref="AtomicFile.Write"/>.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="content">The whole new content.</param>
    /// <param name="mode">The file's mode.</param>
    /// <param name="durable">Whether the content is flushed to disk before it replaces the file.</param>
    /// <param name="value">What the owner keeps of the write.</param>
    public void Write(string path, ReadOnlySpan<byte> content, UnixFileMode mode, bool durable, T value)
    {
        if (durable)
        {
            // The spare holds the counts as they were: a crash must never show it in the file's place again.
            _spares.Remove(path);
        }
        else if (_real && !_noSpare.Contains(path) && _written.TryGetValue(path, out var last))
        {
            // The file as this process last wrote it (the callers have just checked its stamp) becomes the spare: if
            // another process replaced it meanwhile, the spare is not the one remembered, and the next write makes a
            // new one.
            var swappedOut = last.Stamp;
            switch (SpareFile.TryWrite(fileSystem, path, content, mode, _spares.TryGetValue(path, out var spare) ? spare : null, spareRest ?? SpareFile.Rest, out var stamp))
            {
                case SpareFile.Outcome.Swapped:
                    _written[path] = (stamp, value);
                    _spares[path] = (swappedOut.Device, swappedOut.Inode);
                    return;
                case SpareFile.Outcome.Unsupported:
                    _noSpare.Add(path);
                    break;
            }
        }

        AtomicFile.Write(fileSystem, path, content, mode, durable: durable);
        Remember(path, value);
    }

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

            // Another process wrote it: the spare may hold counts older than that write.
            _written.Remove(path);
            _spares.Remove(path);
        }

        value = null;
        return false;
    }
}
