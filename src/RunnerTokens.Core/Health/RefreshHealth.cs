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

    /// <summary>
    /// Evaluates the metrics file: no file is critical; no check timestamp is a warning; 3 or more consecutive
    /// failures is critical; a last check more than 300 seconds ago is a warning; otherwise healthy.
    /// </summary>
    /// <param name="metricsFile">The metrics file.</param>
    /// <param name="now">The current time.</param>
    /// <returns>The report.</returns>
    public static RefreshHealthReport Evaluate(string metricsFile, DateTimeOffset now) =>
        Evaluate(new FileSystem(), metricsFile, now);

    /// <summary>
    /// Evaluates the metrics file as <see cref="Evaluate(string, DateTimeOffset)"/>, with a stale limit of its own. The
    /// report also carries the runner's name, the age of its last check and its consecutive failures.
    /// </summary>
    /// <param name="metricsFile">The metrics file.</param>
    /// <param name="now">The current time.</param>
    /// <param name="maxAge">A last check older than this is a warning; the shipped timer and cron period must fit inside it.</param>
    /// <returns>The report.</returns>
    public static RefreshHealthReport Evaluate(string metricsFile, DateTimeOffset now, TimeSpan maxAge) =>
        Evaluate(new FileSystem(), metricsFile, now, maxAge);

    /// <summary>The same, on the file system given (a test double).</summary>
    internal static RefreshHealthReport Evaluate(IFileSystem fileSystem, string metricsFile, DateTimeOffset now) =>
        Evaluate(fileSystem, metricsFile, now, TimeSpan.FromSeconds(StaleCheckSeconds));

    /// <summary>The same, on the file system given (a test double), with a stale limit of its own.</summary>
    internal static RefreshHealthReport Evaluate(IFileSystem fileSystem, string metricsFile, DateTimeOffset now, TimeSpan maxAge)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentException.ThrowIfNullOrWhiteSpace(metricsFile);

        if (!fileSystem.File.Exists(metricsFile))
        {
            return new(RefreshHealthStatus.Critical, $"CRITICAL: Metrics file not found: {metricsFile}");
        }

        // Another local user could plant a file saying OK (the default folder is /var/tmp): only a file its owner alone
        // can write, owned by this user or the folder's owner, is believed.
        if (UnixFileStatus.IsReal(fileSystem) && UnixFileStatus.UntrustedProblem(metricsFile) is { } untrusted)
        {
            return new(RefreshHealthStatus.Critical, $"CRITICAL: Metrics file {metricsFile} is not trusted: {untrusted}");
        }

        long lastCheck;
        long consecutiveFailures;
        string? runnerName;
        try
        {
            using var document = JsonDocument.Parse(Utf8Bom.Strip(UnixFileStatus.ReadAllBytes(fileSystem, metricsFile)));
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return new(RefreshHealthStatus.Critical, $"CRITICAL: Metrics file {metricsFile} is corrupt: expected a JSON object");
            }

            lastCheck = ReadNumber(document.RootElement, "last_check_timestamp");
            consecutiveFailures = ReadNumber(document.RootElement, "consecutive_failures");
            if (consecutiveFailures < 0)
            {
                // The refresher saturates the count; a negative one was not written by it and must not read as healthy.
                return new(RefreshHealthStatus.Critical, $"CRITICAL: Metrics file {metricsFile} is corrupt: 'consecutive_failures' is negative");
            }

            runnerName = document.RootElement.TryGetProperty("runner_name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null;
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or FormatException)
        {
            return new(RefreshHealthStatus.Critical, $"CRITICAL: Metrics file {metricsFile} is unreadable: {ex.Message}");
        }

        var failures = (int)Math.Clamp(consecutiveFailures, 0, int.MaxValue);
        if (lastCheck <= 0)
        {
            return new(RefreshHealthStatus.Warning, "WARNING: No check timestamp found") { RunnerName = runnerName, ConsecutiveFailures = failures };
        }

        var age = TimeSpan.FromSeconds(Math.Max(0, now.ToUnixTimeSeconds() - lastCheck));
        if (consecutiveFailures >= CriticalConsecutiveFailures)
        {
            return new(RefreshHealthStatus.Critical, string.Create(CultureInfo.InvariantCulture, $"CRITICAL: {consecutiveFailures} consecutive refresh failures"))
            {
                RunnerName = runnerName,
                LastCheckAge = age,
                ConsecutiveFailures = failures,
            };
        }

        if (age > maxAge)
        {
            return new(RefreshHealthStatus.Warning, string.Create(CultureInfo.InvariantCulture, $"WARNING: Last check was {(long)age.TotalSeconds} seconds ago"))
            {
                RunnerName = runnerName,
                LastCheckAge = age,
                ConsecutiveFailures = failures,
            };
        }

        return new(RefreshHealthStatus.Ok, "OK: Token refresh healthy") { RunnerName = runnerName, LastCheckAge = age, ConsecutiveFailures = failures };
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
