namespace RunnerTokens.Metrics;

/// <summary>
/// What one check of one runner found beyond <see cref="IMetricsSink"/>'s counts: told to the sinks that implement
/// <see cref="IRunnerCheckSink"/>, after the check (and its refresh, if any) ended.
/// </summary>
/// <param name="CheckedAt">When the check decided.</param>
/// <param name="ExpiresAt">
/// When the registration needs renewing, as the deciding source said (after a refresh, the new registration token's
/// expiry); null when no source knew.
/// </param>
/// <param name="RefreshDuration">How long this check's refresh took, when one ran to an end (succeeded or failed); null otherwise.</param>
internal sealed record RunnerCheckFacts(DateTimeOffset CheckedAt, DateTimeOffset? ExpiresAt, TimeSpan? RefreshDuration);
