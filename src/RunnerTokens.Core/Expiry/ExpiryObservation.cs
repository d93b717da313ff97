namespace RunnerTokens;

/// <summary>What one <see cref="IExpirySource"/> observed about one runner's registration.</summary>
public sealed record ExpiryObservation
{
    private ExpiryObservation(string source, ExpiryObservationKind kind, DateTimeOffset? expiresAt, string? reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        Source = source;
        Kind = kind;
        ExpiresAt = expiresAt;
        Reason = reason;
    }

    /// <summary>Gets the name of the source, for the logs.</summary>
    public string Source { get; }

    /// <summary>Gets what the source could tell.</summary>
    public ExpiryObservationKind Kind { get; }

    /// <summary>Gets the expiry, when <see cref="Kind"/> is <see cref="ExpiryObservationKind.ExpiresAt"/>.</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>Gets why the registration is invalid, doubtful or unknown, for the logs; <see langword="null"/> otherwise.</summary>
    public string? Reason { get; }

    /// <summary>The registration must be renewed before <paramref name="expiresAt"/>.</summary>
    /// <param name="source">The name of the source.</param>
    /// <param name="expiresAt">When the registration (or the token it rests on) expires.</param>
    /// <returns>The observation.</returns>
    public static ExpiryObservation Expires(string source, DateTimeOffset expiresAt) =>
        new(source, ExpiryObservationKind.ExpiresAt, expiresAt, null);

    /// <summary>The registration is valid and does not expire.</summary>
    /// <param name="source">The name of the source.</param>
    /// <returns>The observation.</returns>
    public static ExpiryObservation ValidNoExpiry(string source) =>
        new(source, ExpiryObservationKind.ValidNoExpiry, null, null);

    /// <summary>The registration is unusable now and must be renewed.</summary>
    /// <param name="source">The name of the source.</param>
    /// <param name="reason">Why, naming the file or the server's answer.</param>
    /// <returns>The observation.</returns>
    public static ExpiryObservation Invalid(string source, string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new(source, ExpiryObservationKind.InvalidNow, null, reason);
    }

    /// <summary>The source cannot tell, but sees something wrong that a server should be asked about now.</summary>
    /// <param name="source">The name of the source.</param>
    /// <param name="reason">What looks wrong.</param>
    /// <returns>The observation.</returns>
    public static ExpiryObservation Doubtful(string source, string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new(source, ExpiryObservationKind.Doubtful, null, reason);
    }

    /// <summary>The source could not tell.</summary>
    /// <param name="source">The name of the source.</param>
    /// <param name="reason">Why it could not tell.</param>
    /// <returns>The observation.</returns>
    public static ExpiryObservation Unknown(string source, string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new(source, ExpiryObservationKind.Unknown, null, reason);
    }
}
