using System.Globalization;
using System.IO.Abstractions;
using System.Text.Json;

namespace RunnerTokens;

/// <summary>The seed script's health check over its metrics file.</summary>
public static class RefreshHealth
{
    /// <summary>A last check older than this many seconds is a warning.</summary>
    public const int StaleCheckSeconds = 300;

    /// <summary>This many consecutive failed refreshes, or more, is critical.</summary>
    public const int CriticalConsecutiveFailures = 3;

    /// <summary>Evaluates the metrics file on the real file system.</summary>
    /// <param name="metricsFile">The metrics file.</param>
    /// <param name="now">The current time.</param>
    /// <returns>The report.</returns>
    public static RefreshHealthReport Evaluate(string metricsFile, DateTimeOffset now) =>
        Evaluate(new FileSystem(), metricsFile, now);

    /// <summary>
    /// Evaluates the metrics file: no file is critical; no check timestamp is a warning; 3 or more consecutive
    /// failures is critical; a last check more than 300 seconds ago is a warning; otherwise healthy.
    /// </summary>
    /// <param name="fileSystem">The file system to read from.</param>
    /// <param name="metricsFile">The metrics file.</param>
    /// <param name="now">The current time.</param>
    /// <returns>The report.</returns>
    public static RefreshHealthReport Evaluate(IFileSystem fileSystem, string metricsFile, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentException.ThrowIfNullOrWhiteSpace(metricsFile);

        if (!fileSystem.File.Exists(metricsFile))
        {
            return new(RefreshHealthStatus.Critical, $"CRITICAL: Metrics file not found: {metricsFile}");
        }

        long lastCheck;
        long consecutiveFailures;
        try
        {
            using var document = JsonDocument.Parse(Utf8Bom.Strip(fileSystem.File.ReadAllBytes(metricsFile)));
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return new(RefreshHealthStatus.Critical, $"CRITICAL: Metrics file {metricsFile} is corrupt: expected a JSON object");
            }

            lastCheck = ReadNumber(document.RootElement, "last_check_timestamp");
            consecutiveFailures = ReadNumber(document.RootElement, "consecutive_failures");
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or FormatException)
        {
            return new(RefreshHealthStatus.Critical, $"CRITICAL: Metrics file {metricsFile} is unreadable: {ex.Message}");
        }

        if (lastCheck <= 0)
        {
            return new(RefreshHealthStatus.Warning, "WARNING: No check timestamp found");
        }

        if (consecutiveFailures >= CriticalConsecutiveFailures)
        {
            return new(RefreshHealthStatus.Critical, string.Create(CultureInfo.InvariantCulture, $"CRITICAL: {consecutiveFailures} consecutive refresh failures"));
        }

        var age = now.ToUnixTimeSeconds() - lastCheck;
        if (age > StaleCheckSeconds)
        {
            return new(RefreshHealthStatus.Warning, string.Create(CultureInfo.InvariantCulture, $"WARNING: Last check was {age} seconds ago"));
        }

        return new(RefreshHealthStatus.Ok, "OK: Token refresh healthy");
    }

    private static long ReadNumber(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) switch
        {
            false => 0,
            true when value.ValueKind == JsonValueKind.Null => 0,
            true when value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) => number,
            _ => throw new FormatException($"'{name}' is {value.ValueKind}, expected a whole number"),
        };
}
