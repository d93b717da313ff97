namespace RunnerTokens.GitHub;

/// <summary>
/// A call to GitHub failed: no usable credential, a rejected one (the message names the permission the endpoint needs),
/// a rate limit longer than allowed (see <see cref="RetryAfter"/>), or a server that kept failing. The message never
/// holds a token.
/// </summary>
public sealed class GitHubApiException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="GitHubApiException"/> class.</summary>
    public GitHubApiException()
        : this("A call to the GitHub API failed.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="GitHubApiException"/> class.</summary>
    /// <param name="message">What failed and what to do about it.</param>
    public GitHubApiException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="GitHubApiException"/> class.</summary>
    /// <param name="message">What failed and what to do about it.</param>
    /// <param name="innerException">The cause.</param>
    public GitHubApiException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    internal GitHubApiException(string message, int? statusCode, GitHubFailureKind kind, DateTimeOffset? retryAfter = null)
        : base(message)
    {
        StatusCode = statusCode;
        Kind = kind;
        RetryAfter = retryAfter;
    }

    /// <summary>A failure that says more than <paramref name="cause"/>, and is retried (or not) as it is.</summary>
    internal GitHubApiException(string message, GitHubApiException cause)
        : base(message, cause)
    {
        StatusCode = cause.StatusCode;
        Kind = cause.Kind;
        RetryAfter = cause.RetryAfter;
    }

    /// <summary>Gets the HTTP status GitHub answered with; <see langword="null"/> when there was no answer.</summary>
    public int? StatusCode { get; }

    /// <summary>Gets the earliest time a new attempt can succeed, for a rate limit; otherwise <see langword="null"/>.</summary>
    public DateTimeOffset? RetryAfter { get; }

    internal GitHubFailureKind Kind { get; }
}

/// <summary>How a failed call may be retried.</summary>
internal enum GitHubFailureKind
{
    /// <summary>Retrying changes nothing: a missing or rejected credential, a missing scope, a refused request.</summary>
    Permanent,

    /// <summary>A server error, a timeout, a connection error or an unreadable answer: retried with backoff.</summary>
    Transient,

    /// <summary>A rate limit: retried after <see cref="GitHubApiException.RetryAfter"/>, if that is soon enough.</summary>
    RateLimited,
}
