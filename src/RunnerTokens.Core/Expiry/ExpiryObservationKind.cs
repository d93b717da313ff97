namespace RunnerTokens;

/// <summary>What an <see cref="IExpirySource"/> could tell about a runner's registration.</summary>
public enum ExpiryObservationKind
{
    /// <summary>The source could not tell.</summary>
    Unknown,

    /// <summary>The registration must be renewed before <see cref="ExpiryObservation.ExpiresAt"/>.</summary>
    ExpiresAt,

    /// <summary>The registration is valid and nothing about it expires (GitHub lists the runner, say).</summary>
    ValidNoExpiry,

    /// <summary>The registration is unusable now: missing, corrupt, or deleted on the server.</summary>
    InvalidNow,

    /// <summary>
    /// The source cannot tell, but sees something wrong (the listener is not listening): an
    /// <see cref="IRemoteExpirySource"/> should ask its server now rather than at its slow cadence. Decides like
    /// <see cref="Unknown"/>.
    /// </summary>
    Doubtful,
}
