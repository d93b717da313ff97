namespace RunnerTokens.Metrics;

/// <summary>One runner's values in the Prometheus file; a null value has no sample.</summary>
internal sealed class RunnerSeries
{
    public long Checks { get; set; }

    public long Refreshes { get; set; }

    public long Failures { get; set; }

    public long ConsecutiveFailures { get; set; }

    public double? SecondsUntilExpiry { get; set; }

    public double? LastRefreshDuration { get; set; }

    public double? LastRefreshTimestamp { get; set; }

    public double? LastCheckTimestamp { get; set; }

    /// <summary>Gets the calls left per rate-limit bucket, by the bucket's name, in order.</summary>
    public SortedDictionary<string, double> RateLimitRemaining { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether refreshes, failures and the last refresh are the same as in <paramref name="other"/> (a check's own values aside).</summary>
    public bool SameOutcomes(RunnerSeries other) =>
        Refreshes == other.Refreshes
        && Failures == other.Failures
        && ConsecutiveFailures == other.ConsecutiveFailures
        && LastRefreshDuration == other.LastRefreshDuration
        && LastRefreshTimestamp == other.LastRefreshTimestamp;

    public RunnerSeries Clone()
    {
        var copy = new RunnerSeries
        {
            Checks = Checks,
            Refreshes = Refreshes,
            Failures = Failures,
            ConsecutiveFailures = ConsecutiveFailures,
            SecondsUntilExpiry = SecondsUntilExpiry,
            LastRefreshDuration = LastRefreshDuration,
            LastRefreshTimestamp = LastRefreshTimestamp,
            LastCheckTimestamp = LastCheckTimestamp,
        };
        foreach (var (resource, remaining) in RateLimitRemaining)
        {
            copy.RateLimitRemaining[resource] = remaining;
        }

        return copy;
    }
}
