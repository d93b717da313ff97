namespace RunnerTokens.Refresh;

/// <summary>Whether a runner needs a refresh, and the facts for the one log line about it.</summary>
/// <param name="Refresh">Whether to refresh now.</param>
/// <param name="Source">The source whose answer decided, or a list when none did alone.</param>
/// <param name="SecondsLeft">Seconds until the deciding expiry; negative once passed; null without one.</param>
/// <param name="Reason">Why, in words.</param>
internal sealed record RefreshDecision(bool Refresh, string Source, long? SecondsLeft, string Reason)
{
    /// <summary>Gets a value indicating whether a source said the registration is invalid now (not merely expiring).</summary>
    public bool Invalid { get; init; }
}
