using System.Globalization;

namespace RunnerTokens.Refresh;

/// <summary>The seed's rules: refresh when any source says invalid, when the earliest expiry is under the threshold or past, or when no source can tell.</summary>
/// <remarks>
/// Runs once per runner per check, nearly always to decide nothing: one pass over the observations, and no text made
/// beyond the reason itself (a daemon of 1,000 runners decides 1,000 times a check).
/// </remarks>
internal static class RefreshDecider
{
    public static RefreshDecision Decide(
        IReadOnlyList<ExpiryObservation> observations, DateTimeOffset now, TimeSpan threshold, RefreshPolicy policy)
    {
        ExpiryObservation? earliest = null;
        ExpiryObservation? valid = null;
        for (var i = 0; i < observations.Count; i++)
        {
            var observation = observations[i];
            switch (observation.Kind)
            {
                case ExpiryObservationKind.InvalidNow:
                    return new(true, observation.Source, null, $"registration invalid: {observation.Reason}") { Invalid = true };
                case ExpiryObservationKind.ExpiresAt when observation.ExpiresAt is { } expiresAt
                    && (earliest is null || expiresAt < earliest.ExpiresAt!.Value):
                    earliest = observation;
                    break;
                case ExpiryObservationKind.ValidNoExpiry:
                    valid ??= observation;
                    break;
            }
        }

        if (policy == RefreshPolicy.Registration)
        {
            return new(false, AllSources(observations), null, "registration valid (policy registration renews only an invalid registration)");
        }

        if (earliest is not null)
        {
            var left = earliest.ExpiresAt!.Value - now;
            var seconds = (long)Math.Floor(left.TotalSeconds);
            var thresholdSeconds = (long)threshold.TotalSeconds;
            if (left <= TimeSpan.Zero)
            {
                return new(true, earliest.Source, seconds, string.Create(CultureInfo.InvariantCulture, $"expired {-seconds} s ago"));
            }

            return left < threshold
                ? new(true, earliest.Source, seconds, string.Create(CultureInfo.InvariantCulture, $"expires in {seconds} s, within the threshold of {thresholdSeconds} s"))
                : new(false, earliest.Source, seconds, string.Create(CultureInfo.InvariantCulture, $"expires in {seconds} s, beyond the threshold of {thresholdSeconds} s"));
        }

        if (valid is not null)
        {
            return new(false, valid.Source, null, "registration valid, no expiry");
        }

        var reasons = observations.Count == 0
            ? "no expiry source is registered"
            : string.Join("; ", observations.Select(o => $"{o.Source}: {o.Reason}"));
        return new(true, AllSources(observations), null, $"expiry unknown ({reasons})");
    }

    /// <summary>The sources' names, comma-separated, for a decision no single source made; "none" without any.</summary>
    private static string AllSources(IReadOnlyList<ExpiryObservation> observations)
    {
        if (observations.Count == 0)
        {
            return "none";
        }

        var names = new string[observations.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = observations[i].Source;
        }

        return string.Join(',', names);
    }
}
