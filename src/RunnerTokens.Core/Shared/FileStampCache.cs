using System.Collections.Concurrent;
using System.IO.Abstractions;

namespace RunnerTokens.Shared;

/// <summary>
/// One version of a file, told without reading it: its device, inode, size, and modification and change times, as one
/// <c>stat</c> gives them (following a link). Any write, truncation, rename over it, <c>chmod</c> or <c>touch</c>
/// changes the change time, which no caller can set back.
/// </summary>
internal readonly record struct FileStamp(long Device, long Inode, long Size, long ModifiedSeconds, long ModifiedNanoseconds, long ChangedSeconds, long ChangedNanoseconds)
{
    /// <summary>How long a file must have been left alone before a value read from it is kept.</summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Whether the file has been left alone long enough that a later write is sure to change the stamp: the kernel
    /// keeps file times to its clock tick, so a file written twice within one tick, to the same size, keeps its stamp.
    /// A stamp younger than <see cref="SettleTime"/> is not trusted (as Git treats "racily clean" files).
    /// </summary>
    public bool SettledAt(DateTimeOffset now) => now - ChangedAt >= SettleTime;

    /// <summary>Gets when the file last changed (its change time, to the 100 ns a <see cref="DateTimeOffset"/> holds).</summary>
    public DateTimeOffset ChangedAt => DateTimeOffset.FromUnixTimeSeconds(ChangedSeconds).AddTicks(ChangedNanoseconds / 100);
}

/// <summary>
/// What a reader made of some files, kept for as long as none of them changes: a check that finds the stamps
/// (<see cref="UnixFileStatus.Stamp(string)"/>) of every file it depends on as they were takes the value again, for one
/// <c>stat</c> a file instead of opening, locking, reading and parsing each. A missing file is a stamp too (null).
/// </summary>
/// <remarks>
/// Only the machine's own file system is looked at; with a test double every lookup misses. A value is kept only when
/// each of its files was settled (<see cref="FileStamp.SettledAt"/>) when stamped, and stamps are taken before the
/// files are read, so a change during the read shows at the next lookup. Bounded: past
/// <see cref="MaxEntries"/> keys the cache starts again empty. Shared source: compiled into Core, and linked into
/// Systemd, where it stays internal.
/// </remarks>
/// <typeparam name="TValue">What the reader made of the files.</typeparam>
internal sealed class FileStampCache<TValue>(IFileSystem fileSystem)
{
    /// <summary>The most keys kept (a daemon's runners); beyond it the cache is emptied rather than grown.</summary>
    public const int MaxEntries = 16_384;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly bool _enabled = UnixFileStatus.IsReal(fileSystem) && !OperatingSystem.IsWindows();

    /// <summary>The stamps of <paramref name="paths"/> now; empty (nothing to compare) when the cache is off.</summary>
    public FileStamp?[] StampAll(params ReadOnlySpan<string> paths) =>
        _enabled ? StampInto(new FileStamp?[paths.Length], 0, paths) : [];

    /// <summary>The stamps of <paramref name="first"/>, already taken (by another reader of the same check), and of <paramref name="paths"/> now; empty when the cache is off.</summary>
    public FileStamp?[] StampAll(FileStamp? first, params ReadOnlySpan<string> paths)
    {
        if (!_enabled)
        {
            return [];
        }

        var stamps = new FileStamp?[paths.Length + 1];
        stamps[0] = first;
        return StampInto(stamps, 1, paths);
    }

    /// <summary>The value kept for <paramref name="key"/> when it was made from files with exactly these stamps.</summary>
    public bool TryGet(string key, FileStamp?[] stamps, out TValue value)
    {
        if (_enabled && _entries.TryGetValue(key, out var entry) && entry.Stamps.AsSpan().SequenceEqual(stamps))
        {
            value = entry.Value;
            return true;
        }

        value = default!;
        return false;
    }

    /// <summary>The value kept for <paramref name="key"/>, whatever its files' stamps: for a reader whose value names a file to stamp (the newest log).</summary>
    public bool TryPeek(string key, out TValue value)
    {
        if (_enabled && _entries.TryGetValue(key, out var entry))
        {
            value = entry.Value;
            return true;
        }

        value = default!;
        return false;
    }

    /// <summary>Keeps <paramref name="value"/>, made from files stamped <paramref name="stamps"/> before they were read, if every one has settled.</summary>
    public void Set(string key, FileStamp?[] stamps, TValue value)
    {
        if (!_enabled)
        {
            return;
        }

        // The kernel's clock, which file times follow: not the engine's TimeProvider, which a test may set anywhere.
        var now = DateTimeOffset.UtcNow;
        foreach (var stamp in stamps)
        {
            if (stamp is { } known && !known.SettledAt(now))
            {
                _entries.TryRemove(key, out _);
                return;
            }
        }

        if (_entries.Count >= MaxEntries && !_entries.ContainsKey(key))
        {
            _entries.Clear();
        }

        _entries[key] = new Entry(stamps, value);
    }

    /// <summary>Forgets <paramref name="key"/>: its files were just changed by the caller.</summary>
    public void Forget(string key) => _entries.TryRemove(key, out _);

    private static FileStamp?[] StampInto(FileStamp?[] stamps, int from, ReadOnlySpan<string> paths)
    {
        for (var i = 0; i < paths.Length; i++)
        {
            stamps[from + i] = UnixFileStatus.Stamp(paths[i]);
        }

        return stamps;
    }

    private sealed record Entry(FileStamp?[] Stamps, TValue Value);
}
