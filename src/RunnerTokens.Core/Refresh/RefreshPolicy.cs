namespace RunnerTokens;

/// <summary>When a runner's registration is renewed.</summary>
public enum RefreshPolicy
{
    /// <summary>
    /// The seed script's behaviour: renew before the cached registration token expires, when an expiry has
    /// passed, when the registration is invalid, and when no source can tell.
    /// </summary>
    Expiry,

    /// <summary>
    /// Renew only when the registration is invalid: gone on GitHub, deleted per the listener's log, or its files
    /// missing or corrupt. The registration itself does not expire, so this avoids re-registering every hour.
    /// </summary>
    Registration,
}
