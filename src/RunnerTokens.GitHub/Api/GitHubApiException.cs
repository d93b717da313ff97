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

    /// <summary>
    /// Gets a value indicating whether the same call may succeed later without anyone changing anything: a server error,
    /// a timeout, a connection error, an unreadable answer, or a rate limit (from <see cref="RetryAfter"/> on).
    /// <see langword="false"/> for a permanent failure, which retrying only repeats: no credential, a rejected one (401),
    /// a missing permission (403 that is not a rate limit), something GitHub does not have or hides (404), a refused
    /// request (422 and other 4xx). An exception made with a public constructor is permanent.
    /// </summary>
    public bool IsTransient => Kind != GitHubFailureKind.Permanent;

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
