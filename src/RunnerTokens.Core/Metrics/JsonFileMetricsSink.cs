using System.IO.Abstractions;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using RunnerTokens.State;

namespace RunnerTokens.Metrics;

/// <summary>
/// Writes the seed script's metrics file for each runner (<see cref="RunnerContext.MetricsFile"/>). Each write reads
/// the file first, so counters survive restarts, and replaces it atomically.
/// </summary>
internal sealed partial class JsonFileMetricsSink(IFileSystem fileSystem, ILogger<JsonFileMetricsSink> logger) : IMetricsSink
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public ValueTask RecordCheckAsync(RunnerContext runner, DateTimeOffset checkedAt, CancellationToken cancellationToken) =>
        UpdateAsync(runner, document => document.LastCheckTimestamp = checkedAt.ToUnixTimeSeconds(), cancellationToken);

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

    private async ValueTask UpdateAsync(RunnerContext runner, Action<MetricsDocument> update, CancellationToken cancellationToken)
    {
        if (runner.MetricsFile is not { } path)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var document = Read(path);
            document.RunnerOrg = runner.Scope.DisplayName;
            document.RunnerName = runner.Name;
            update(document);
            AtomicFile.Write(
                fileSystem,
                path,
                JsonSerializer.SerializeToUtf8Bytes(document, StateJsonContext.Default.MetricsDocument),
                AtomicFile.WorldReadable);
        }
        finally
        {
            _gate.Release();
        }
    }

    private MetricsDocument Read(string path)
    {
        if (!fileSystem.File.Exists(path))
        {
            return new MetricsDocument();
        }

        // A file another user planted or can write (the default folder is /var/tmp) is neither read nor replaced.
        if (UnixFileStatus.IsReal(fileSystem) && UnixFileStatus.UntrustedProblem(path) is { } untrusted)
        {
            throw new IOException($"metrics file refused: {untrusted}");
        }

        try
        {
            return JsonSerializer.Deserialize(Utf8Bom.Strip(UnixFileStatus.ReadAllBytes(fileSystem, path)).Span, StateJsonContext.Default.MetricsDocument)
                ?? new MetricsDocument();
        }
        catch (JsonException ex)
        {
            // Counters restart from zero rather than stop recording; the operator is told which file was bad.
            LogCorruptMetricsFile(path, ex.Message);
            return new MetricsDocument();
        }
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Metrics file {Path} is corrupt ({Problem}); its counters start again from zero")]
    private partial void LogCorruptMetricsFile(string path, string problem);
}
