using System.Globalization;

namespace RunnerTokens.Refresh;

/// <summary>The seed's rules: refresh when any source says invalid, when the earliest expiry is under the threshold or past, or when no source can tell.</summary>
internal static class RefreshDecider
{
    public static RefreshDecision Decide(
        IReadOnlyList<ExpiryObservation> observations, DateTimeOffset now, TimeSpan threshold, RefreshPolicy policy)
    {
        if (observations.FirstOrDefault(o => o.Kind == ExpiryObservationKind.InvalidNow) is { } invalid)
        {
            return new(true, invalid.Source, null, $"registration invalid: {invalid.Reason}") { Invalid = true };
        }

        var allSources = observations.Count == 0 ? "none" : string.Join(",", observations.Select(o => o.Source));
        if (policy == RefreshPolicy.Registration)
        {
            return new(false, allSources, null, "registration valid (policy registration renews only an invalid registration)");
        }

        var earliest = observations
            .Where(o => o.Kind == ExpiryObservationKind.ExpiresAt && o.ExpiresAt is not null)
            .MinBy(o => o.ExpiresAt!.Value);
        if (earliest is not null)
        {
            var left = earliest.ExpiresAt!.Value - now;
            var seconds = (long)Math.Floor(left.TotalSeconds);
            var thresholdSeconds = (long)threshold.TotalSeconds;
            if (left <= TimeSpan.Zero)
            {
                return new(true, earliest.Source, seconds, Invariant($"expired {-seconds} s ago"));
            }

            return left < threshold
                ? new(true, earliest.Source, seconds, Invariant($"expires in {seconds} s, within the threshold of {thresholdSeconds} s"))
                : new(false, earliest.Source, seconds, Invariant($"expires in {seconds} s, beyond the threshold of {thresholdSeconds} s"));
        }

        if (observations.FirstOrDefault(o => o.Kind == ExpiryObservationKind.ValidNoExpiry) is { } valid)
        {
            return new(false, valid.Source, null, "registration valid, no expiry");
        }

        var reasons = observations.Count == 0
            ? "no expiry source is registered"
            : string.Join("; ", observations.Select(o => $"{o.Source}: {o.Reason}"));
        return new(true, allSources, null, $"expiry unknown ({reasons})");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
