using System.IO.Abstractions;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using RunnerTokens.State;

namespace RunnerTokens.Metrics;

/// <summary>
/// Writes the seed script's metrics file for each runner (<see cref="RunnerContext.MetricsFile"/>). Each write starts
/// from the file as it is, so counters survive restarts (and another process's writes), and replaces it atomically.
/// </summary>
/// <remarks>
/// A check's time stamp alone is written once in each of the file's slots (<see cref="CheckTimestampSlot"/> seconds,
/// shifted by a phase of its own): a daemon that checks often does not replace each runner's file (which costs more
/// than the rest of the check) at every check, and a daemon of many runners writes a share of them at each check, not
/// all of them at one; every write fills whole 4 KiB blocks with trailing spaces (<see cref="PadToWholeBlocks"/>). A
/// counter or a name is written at once, flushed to disk. The file this sink last wrote is not read again while its
/// stamp (<see cref="FileStamp"/>) shows nobody replaced it, and not even stamped by a check whose time stamp would
/// not be written.
/// </remarks>
internal sealed partial class JsonFileMetricsSink(IFileSystem fileSystem, ILogger<JsonFileMetricsSink> logger) : IMetricsSink
{
    /// <summary>
    /// How far a file's check time stamp may lag the runner's last check, in seconds: it is written at the first check
    /// in each slot of this length, so with checks every 60 s (the default) each runner's file is written every third
    /// check, a third of the runners at each. Well inside the health check's limit
    /// (<see cref="RefreshHealth.StaleCheckSeconds"/>, 300 s).
    /// </summary>
    public const int CheckTimestampSlot = 180;

    /// <summary>The file system block a time stamp's write covers whole (<see cref="PadToWholeBlocks"/>): ext4's, XFS's and btrfs's default.</summary>
    internal const int BlockBytes = 4096;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly WrittenFiles<Written> _written = new(fileSystem);

    // The padded bytes of the write in progress (PadToWholeBlocks: every write, a counter's too), under the gate.
    private byte[]? _padded;

    // Each change is a static lambda given its value: nothing is allocated for a check whose time stamp is not written.
    public ValueTask RecordCheckAsync(RunnerContext runner, DateTimeOffset checkedAt, CancellationToken cancellationToken) =>
        UpdateAsync(runner, static (document, timestamp) => document.LastCheckTimestamp = timestamp, checkedAt.ToUnixTimeSeconds(), cancellationToken, checkOnly: true);

    public ValueTask RecordRefreshSucceededAsync(RunnerContext runner, DateTimeOffset refreshedAt, CancellationToken cancellationToken) =>
        UpdateAsync(
            runner,
            static (document, timestamp) =>
            {
                document.LastRefreshTimestamp = timestamp;
                document.TotalRefreshes++;
                document.ConsecutiveFailures = 0;
            },
            refreshedAt.ToUnixTimeSeconds(),
            cancellationToken);

    public ValueTask RecordRefreshFailedAsync(RunnerContext runner, DateTimeOffset failedAt, int consecutiveFailures, CancellationToken cancellationToken) =>
        UpdateAsync(
            runner,
            static (document, failures) =>
            {
                document.FailedRefreshes++;
                document.ConsecutiveFailures = (int)failures;
            },
            consecutiveFailures,
            cancellationToken);

    /// <param name="runner">The runner whose metrics file is updated.</param>
    /// <param name="update">The change to the document, given <paramref name="value"/>.</param>
    /// <param name="value">The value the change sets.</param>
    /// <param name="cancellationToken">Cancels the wait for the sink's gate.</param>
    /// <param name="checkOnly">Whether the update is a check's time stamp (<paramref name="value"/>) alone.</param>
    private async ValueTask UpdateAsync(RunnerContext runner, Action<MetricsDocument, long> update, long value, CancellationToken cancellationToken, bool checkOnly = false)
    {
        if (runner.MetricsFile is not { } path)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // The time stamp this sink last wrote is recent enough: nothing would be written, so the file is not even
            // looked at (a stat per runner per check). A file replaced meanwhile keeps what the other process wrote;
            // one deleted is written again in the next slot.
            if (checkOnly
                && _written.TryPeek(path, out var last)
                && !InLaterSlot(path, last.Document.LastCheckTimestamp, value)
                && last.Document.RunnerName == runner.Name
                && last.Document.RunnerOrg == runner.Scope.DisplayName)
            {
                return;
            }

            var (held, onDisk) = Read(path);
            var document = held with { RunnerOrg = runner.Scope.DisplayName, RunnerName = runner.Name };
            update(document, value);
            var content = JsonSerializer.SerializeToUtf8Bytes(document, StateJsonContext.Default.MetricsDocument);
            if (onDisk is not null && content.AsSpan().SequenceEqual(onDisk.Value.Span))
            {
                // Nothing changed (a second check within the same second): nothing to write.
                return;
            }

            // A counter, a name, or a file that was missing or unreadable: flushed to disk before the rename, so a
            // crash never loses it. The check's time stamp alone, once a slot for every runner, is not: a crash may
            // lose that one value (the next check writes it again), and skipping the fsync is most of a check's cost.
            var timestampOnly = onDisk is not null && document == held with { LastCheckTimestamp = document.LastCheckTimestamp };
            if (timestampOnly && !InLaterSlot(path, held.LastCheckTimestamp, document.LastCheckTimestamp))
            {
                return;
            }

            // Every write is padded, a counter's too: the file a counter made is the spare of the next time stamp's write,
            // which can take it only at its own length (else a new spare is made and flushed to disk: once per counter
            // change, not twice). What is kept is the document's own bytes, not the padding: a daemon keeps them for
            // each of its runners.
            _written.Write(path, PadToWholeBlocks(content, ref _padded), AtomicFile.WorldReadable, durable: !timestampOnly, new Written(document, content));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// <paramref name="content"/> followed by spaces and a line end up to a whole number of <see cref="BlockBytes"/>,
    /// which JSON reads as the same document. Every write is padded, so the file and its spare keep one length.
    /// A time stamp alone is written into the file's spare in place
    /// (<see cref="SpareFile"/>), a block the kernel may have dropped from its page cache since the spare was last
    /// written a slot ago: a write that covers each block whole needs nothing read back from disk first, where a
    /// shorter one made ext4 read the block, and wait for it, at every such write (a quarter of the CPU of a check of
    /// 1,000 runners at 60 s).
    /// </summary>
    /// <param name="content">The document's bytes.</param>
    /// <param name="buffer">Where the padded bytes go, made or grown as needed: one per sink, used under its gate.</param>
    /// <returns>The padded bytes, in <paramref name="buffer"/>.</returns>
    internal static ReadOnlySpan<byte> PadToWholeBlocks(ReadOnlySpan<byte> content, ref byte[]? buffer)
    {
        var length = ((content.Length / BlockBytes) + 1) * BlockBytes;
        if (buffer is null || buffer.Length < length)
        {
            buffer = new byte[length];
        }

        var padded = buffer.AsSpan(0, length);
        content.CopyTo(padded);
        padded[content.Length..].Fill((byte)' ');
        padded[^1] = (byte)'\n';
        return padded;
    }

    /// <summary>
    /// Whether a check at <paramref name="timestamp"/> falls in a later slot of <paramref name="path"/>'s than the time
    /// stamp the file has (<paramref name="written"/>): only then is the time stamp alone written. A check in the same
    /// slot, or one before the file's stamp (a clock set back), writes nothing.
    /// </summary>
    internal static bool InLaterSlot(string path, long written, long timestamp)
    {
        if (timestamp <= written)
        {
            return false;
        }

        var phase = Phase(path);
        return Slot(timestamp, phase) > Slot(written, phase);
    }

    /// <summary>When the slot after the one <paramref name="timestamp"/> falls in begins, for <paramref name="path"/>.</summary>
    internal static long NextSlotStart(string path, long timestamp)
    {
        var phase = Phase(path);
        return ((Slot(timestamp, phase) + 1) * CheckTimestampSlot) - phase;
    }

    // Unix seconds, 0 for "never": never negative here.
    private static long Slot(long timestamp, int phase) => (timestamp + phase) / CheckTimestampSlot;

    /// <summary>The file's own shift of its slots, from its path (FNV-1a): the same in every process, spread over the files.</summary>
    private static int Phase(string path)
    {
        var hash = 2166136261u;
        foreach (var c in path)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % CheckTimestampSlot);
    }

    /// <summary>The document in the file, with its bytes when it was read and understood; a fresh document and null bytes otherwise.</summary>
    private (MetricsDocument Document, ReadOnlyMemory<byte>? Bytes) Read(string path)
    {
        if (_written.TryGet(path, out var written))
        {
            // The file this sink wrote last, and still that file: nobody replaced it.
            return (written.Document with { }, written.Bytes);
        }

        if (!fileSystem.File.Exists(path))
        {
            return (new MetricsDocument(), null);
        }

        // A file another user planted or can write (the default folder is /var/tmp) is neither read nor replaced.
        if (UnixFileStatus.IsReal(fileSystem) && UnixFileStatus.UntrustedProblem(path) is { } untrusted)
        {
            throw new IOException($"metrics file refused: {untrusted}");
        }

        var bytes = UnixFileStatus.ReadAllBytes(fileSystem, path);
        try
        {
            return JsonSerializer.Deserialize(Utf8Bom.Strip(bytes).Span, StateJsonContext.Default.MetricsDocument) is { } document
                ? (document, bytes)
                : (new MetricsDocument(), null);
        }
        catch (JsonException ex)
        {
            // Counters restart from zero rather than stop recording; the operator is told which file was bad.
            LogCorruptMetricsFile(path, ex.Message);
            return (new MetricsDocument(), null);
        }
    }

    /// <summary>What this sink last wrote to a file.</summary>
    private sealed record Written(MetricsDocument Document, byte[] Bytes);

    [LoggerMessage(EventId = 132, Level = LogLevel.Warning, Message = "Metrics file {Path} is corrupt ({Problem}); its counters start again from zero")]
    private partial void LogCorruptMetricsFile(string path, string problem);
}
