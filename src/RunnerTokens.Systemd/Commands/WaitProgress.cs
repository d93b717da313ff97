using Microsoft.Extensions.Logging;

namespace RunnerTokens.Systemd;

/// <summary>
/// During a long wait (a unit stopping while its job ends, <c>config.sh</c>, the listener coming up), one Information
/// line every <see cref="Interval"/>: <c>still waiting for systemctl stop x.service (45 s of 6 min)</c>, so that an
/// operator watching the log can tell a slow step from a hung refresher. What is waited for is named by its program
/// and verb only, never its command line.
/// </summary>
internal sealed class WaitProgress(TimeProvider timeProvider, ILogger<WaitProgress> logger)
{
    /// <summary>The default time between two lines.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the time between two lines; tests shorten it.</summary>
    public TimeSpan Interval { get; set; } = DefaultInterval;

    /// <summary>Starts the lines; disposing the result stops them.</summary>
    /// <param name="what">What is waited for, without secrets: <c>systemctl stop x.service</c>.</param>
    /// <param name="limit">How long the wait may last.</param>
    /// <param name="startedAt">When the wait began (<see cref="TimeProvider.GetTimestamp"/>); null for now.</param>
    public IDisposable Start(string what, TimeSpan limit, long? startedAt = null)
    {
        var started = startedAt ?? timeProvider.GetTimestamp();
        var shownLimit = LogText.Duration(limit);
        return timeProvider.CreateTimer(
            _ => Log.StillWaiting(logger, what, LogText.Duration(timeProvider.GetElapsedTime(started)), shownLimit),
            state: null,
            Interval,
            Interval);
    }
}
