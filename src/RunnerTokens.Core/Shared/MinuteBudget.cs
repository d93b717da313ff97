namespace RunnerTokens.Shared;

/// <summary>
/// At most so many uses in each minute of the clock, for one process: what keeps many runners due at once (a first
/// check, runners in doubt together) from sending GitHub as many requests in one minute. Shared source: compiled into
/// Core, and linked into GitHub, where it stays internal.
/// </summary>
/// <param name="perMinute">The uses allowed in one minute.</param>
internal sealed class MinuteBudget(int perMinute)
{
    private readonly Lock _gate = new();
    private long _minute = long.MinValue;
    private int _used;

    /// <summary>Takes one use at <paramref name="now"/>; false when this minute's are spent.</summary>
    /// <param name="now">The time of the use; a clock set back starts a minute of its own.</param>
    /// <param name="firstRefused">True for the first use refused in a minute (to log it once).</param>
    public bool TryTake(DateTimeOffset now, out bool firstRefused)
    {
        var minute = now.UtcTicks / TimeSpan.TicksPerMinute;
        lock (_gate)
        {
            if (minute != _minute)
            {
                _minute = minute;
                _used = 0;
            }

            firstRefused = _used == perMinute;
            if (_used < perMinute)
            {
                _used++;
                return true;
            }

            if (firstRefused)
            {
                _used++;
            }

            return false;
        }
    }
}
