namespace RunnerTokens;

/// <summary>Whether trying a failed refresh step again can help.</summary>
public enum RefreshFailureKind
{
    /// <summary>
    /// The same step may work later with nothing changed: a server error, a timeout, a lost connection, a rate limit
    /// (from <see cref="RunnerRefreshException.RetryAfter"/> on), a listener that did not come up. Retried while the
    /// refresh's attempts last.
    /// </summary>
    Transient,

    /// <summary>
    /// Trying again only repeats it until someone changes something: a rejected credential, a missing permission,
    /// something GitHub does not have, a runner group that does not exist, config.sh refusing to run as root, a unit
    /// this user may not start. Never retried; the message says what to change.
    /// </summary>
    Permanent,
}
