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
/// A check's time stamp alone is written when the file's is <see cref="CheckTimestampStep"/> old or older, so a daemon
/// that checks every few seconds does not replace the file (a new inode, which costs ext4 more than the rest of the
/// check) at every check; a counter or a name is written at once, flushed to disk. The file this sink last wrote is
/// not read again while its stamp (<see cref="FileStamp"/>) shows nobody replaced it, and not even stamped by a check
/// whose time stamp would not be written.
/// </remarks>
internal sealed partial class JsonFileMetricsSink(IFileSystem fileSystem, ILogger<JsonFileMetricsSink> logger) : IMetricsSink
{
    /// <summary>
    /// How far a check's time stamp may lag in the file: at an interval of 30 s or more, every check's; under it, one
    /// every 30 s. Far inside the health check's limit (<see cref="RefreshHealth.StaleCheckSeconds"/>).
    /// </summary>
    public const int CheckTimestampStep = 30;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly WrittenFiles<Written> _written = new(fileSystem);

    public ValueTask RecordCheckAsync(RunnerContext runner, DateTimeOffset checkedAt, CancellationToken cancellationToken)
    {
        var timestamp = checkedAt.ToUnixTimeSeconds();
        return UpdateAsync(runner, document => document.LastCheckTimestamp = timestamp, cancellationToken, checkTimestamp: timestamp);
    }

    public ValueTask RecordRefreshSucceededAsync(RunnerContext runner, DateTimeOffset refreshedAt, CancellationToken cancellationToken) =>
        UpdateAsync(
            runner,
            document =>
            {
                document.LastRefreshTimestamp = refreshedAt.ToUnixTimeSeconds();
                document.TotalRefreshes++;
                document.ConsecutiveFailures = 0;
            },
            cancellationToken);

    public ValueTask RecordRefreshFailedAsync(RunnerContext runner, DateTimeOffset failedAt, int consecutiveFailures, CancellationToken cancellationToken) =>
        UpdateAsync(
            runner,
            document =>
            {
                document.FailedRefreshes++;
                document.ConsecutiveFailures = consecutiveFailures;
            },
            cancellationToken);

    /// <param name="runner">The runner whose metrics file is updated.</param>
    /// <param name="update">The change to the document.</param>
    /// <param name="cancellationToken">Cancels the wait for the sink's gate.</param>
    /// <param name="checkTimestamp">A check's time stamp, when the update is that alone.</param>
    private async ValueTask UpdateAsync(RunnerContext runner, Action<MetricsDocument> update, CancellationToken cancellationToken, long? checkTimestamp = null)
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
            // one deleted is written again when the step has passed.
            if (checkTimestamp is { } timestamp
                && _written.TryPeek(path, out var last)
                && timestamp - last.Document.LastCheckTimestamp is >= 0 and < CheckTimestampStep
                && last.Document.RunnerName == runner.Name
                && last.Document.RunnerOrg == runner.Scope.DisplayName)
            {
                return;
            }

            var (held, onDisk) = Read(path);
            var document = held with { RunnerOrg = runner.Scope.DisplayName, RunnerName = runner.Name };
            update(document);
            var content = JsonSerializer.SerializeToUtf8Bytes(document, StateJsonContext.Default.MetricsDocument);
            if (onDisk is not null && content.AsSpan().SequenceEqual(onDisk.Value.Span))
            {
                // Nothing changed (a second check within the same second): nothing to write.
                return;
            }

            // A counter, a name, or a file that was missing or unreadable: flushed to disk before the rename, so a
            // crash never loses it. The check's time stamp alone, at every check of every runner, is not: a crash may
            // lose that one value (the next check writes it again), and skipping the fsync is most of a check's cost.
            var timestampOnly = onDisk is not null && document == held with { LastCheckTimestamp = document.LastCheckTimestamp };
            if (timestampOnly && document.LastCheckTimestamp - held.LastCheckTimestamp < CheckTimestampStep)
            {
                return;
            }

            _written.Write(path, content, AtomicFile.WorldReadable, durable: !timestampOnly, new Written(document, content));
        }
        finally
        {
            _gate.Release();
        }
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
