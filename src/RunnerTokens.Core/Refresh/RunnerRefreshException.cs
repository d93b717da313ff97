namespace RunnerTokens;

/// <summary>
/// A step of a refresh failed, with whether trying again can help (<see cref="Kind"/>). The engine retries only
/// <see cref="RefreshFailureKind.Transient"/> failures, and none before <see cref="RetryAfter"/>. Token issuers and
/// reconfigurers throw it (or a subclass); any other exception counts as transient. The message never holds a token.
/// </summary>
public class RunnerRefreshException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="RunnerRefreshException"/> class, transient.</summary>
    public RunnerRefreshException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RunnerRefreshException"/> class, transient.</summary>
    /// <param name="message">What failed and what to do about it.</param>
    public RunnerRefreshException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RunnerRefreshException"/> class, transient.</summary>
    /// <param name="message">What failed and what to do about it.</param>
    /// <param name="innerException">The cause.</param>
    public RunnerRefreshException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RunnerRefreshException"/> class.</summary>
    /// <param name="message">What failed and what to do about it.</param>
    /// <param name="kind">Whether trying again can help.</param>
    /// <param name="innerException">The cause.</param>
    /// <param name="retryAfter">The earliest time trying again can help (a rate limit); <see langword="null"/> for any time.</param>
    public RunnerRefreshException(string message, RefreshFailureKind kind, Exception? innerException = null, DateTimeOffset? retryAfter = null)
        : base(message, innerException)
    {
        Kind = kind;
        RetryAfter = retryAfter;
    }

    /// <summary>Gets whether trying the step again can help.</summary>
    public RefreshFailureKind Kind { get; }

    /// <summary>Gets the earliest time trying again can help, for a rate limit; otherwise <see langword="null"/>.</summary>
    public DateTimeOffset? RetryAfter { get; }

    /// <summary>
    /// How the engine treats <paramref name="exception"/>: its <see cref="Kind"/> when it is a
    /// <see cref="RunnerRefreshException"/>, <see cref="RefreshFailureKind.Permanent"/> for a missing service
    /// (<see cref="InvalidOperationException"/>) or access (<see cref="UnauthorizedAccessException"/>), otherwise
    /// <see cref="RefreshFailureKind.Transient"/>.
    /// </summary>
    /// <param name="exception">The failure.</param>
    /// <returns>Whether trying again can help.</returns>
    public static RefreshFailureKind KindOf(Exception exception) => exception switch
    {
        RunnerRefreshException refresh => refresh.Kind,
        InvalidOperationException or UnauthorizedAccessException => RefreshFailureKind.Permanent,
        _ => RefreshFailureKind.Transient,
    };
}
