using System.Globalization;

namespace RunnerTokens.Shared;

/// <summary>
/// Durations and times as an operator reads them in a log line: <c>2.2 s</c>, <c>4 min 10 s</c>, <c>1 h 5 min</c>,
/// <c>2026-11-26 15:04:05Z</c>; not <c>00:04:10.1234567</c> or seven fraction digits.
/// </summary>
/// <remarks>Shared source: compiled into Core, and linked into GitHub, Systemd and the host, where it stays internal.</remarks>
internal static class LogText
{
    /// <summary>A duration in at most two units, rounded down to the smaller one; under a minute with one decimal.</summary>
    public static string Duration(TimeSpan duration)
    {
        var negative = duration < TimeSpan.Zero;
        var value = negative ? duration.Duration() : duration;
        var text = value switch
        {
            _ when value < TimeSpan.FromSeconds(1) => string.Create(CultureInfo.InvariantCulture, $"{(long)value.TotalMilliseconds} ms"),
            _ when value < TimeSpan.FromMinutes(1) => string.Create(CultureInfo.InvariantCulture, $"{Math.Floor(value.TotalSeconds * 10) / 10:0.#} s"),
            _ when value < TimeSpan.FromHours(1) => Two((long)value.TotalMinutes, "min", value.Seconds, "s"),
            _ when value < TimeSpan.FromDays(1) => Two((long)value.TotalHours, "h", value.Minutes, "min"),
            _ => Two((long)value.TotalDays, "d", value.Hours, "h"),
        };
        return negative ? "-" + text : text;
    }

    /// <summary>A point in time in UTC, to the second: <c>2026-11-26 15:04:05Z</c>.</summary>
    public static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The time of day in UTC, to the second (<c>15:04:05Z</c>), for a status line that is read the same day.</summary>
    public static string TimeOfDay(DateTimeOffset time) =>
        time.UtcDateTime.ToString("HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Two(long large, string largeUnit, int small, string smallUnit) =>
        small == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{large} {largeUnit}")
            : string.Create(CultureInfo.InvariantCulture, $"{large} {largeUnit} {small} {smallUnit}");
}
