namespace RunnerTokens.GitHub;

/// <summary>
/// A call to GitHub failed: no usable credential, a rejected one (the message names the permission the endpoint needs),
/// a rate limit longer than allowed (see <see cref="RunnerRefreshException.RetryAfter"/>), or a server that kept failing.
/// <see cref="RunnerRefreshException.Kind"/> is <see cref="RefreshFailureKind.Transient"/> when the same call may succeed
/// later without anyone changing anything (a server error, a timeout, a connection error, an unreadable answer, a rate
/// limit), and <see cref="RefreshFailureKind.Permanent"/> when retrying only repeats it: no credential, a rejected one
/// (401), a missing permission (403 that is not a rate limit), something GitHub does not have or hides (404), a refused
/// request (422 and other 4xx). An exception made with a public constructor is permanent. The message never holds a token.
/// </summary>
public sealed class GitHubApiException : RunnerRefreshException
{
    /// <summary>Initializes a new instance of the <see cref="GitHubApiException"/> class.</summary>
    public GitHubApiException()
        : this("A call to the GitHub API failed.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="GitHubApiException"/> class.</summary>
    /// <param name="message">What failed and what to do about it.</param>
    public GitHubApiException(string message)
        : base(message, RefreshFailureKind.Permanent)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="GitHubApiException"/> class.</summary>
    /// <param name="message">What failed and what to do about it.</param>
    /// <param name="innerException">The cause.</param>
    public GitHubApiException(string message, Exception? innerException)
        : base(message, RefreshFailureKind.Permanent, innerException)
    {
    }

    internal GitHubApiException(string message, int? statusCode, GitHubFailureKind kind, DateTimeOffset? retryAfter = null)
        : base(message, kind == GitHubFailureKind.Permanent ? RefreshFailureKind.Permanent : RefreshFailureKind.Transient, null, retryAfter)
    {
        StatusCode = statusCode;
        Failure = kind;
    }

    /// <summary>A failure that says more than <paramref name="cause"/>, and is retried (or not) as it is.</summary>
    internal GitHubApiException(string message, GitHubApiException cause)
        : base(message, cause.Kind, cause, cause.RetryAfter)
    {
        StatusCode = cause.StatusCode;
        Failure = cause.Failure;
    }

    /// <summary>Gets the HTTP status GitHub answered with; <see langword="null"/> when there was no answer.</summary>
    public int? StatusCode { get; }

    /// <summary>Gets how the call failed, which decides how it is retried.</summary>
    internal GitHubFailureKind Failure { get; }
}

/// <summary>How a failed call may be retried.</summary>
internal enum GitHubFailureKind
{
    /// <summary>Retrying changes nothing: a missing or rejected credential, a missing scope, a refused request.</summary>
    Permanent,

    /// <summary>A server error, a timeout, a connection error or an unreadable answer: retried with backoff.</summary>
    Transient,

    /// <summary>A rate limit: retried after <see cref="RunnerRefreshException.RetryAfter"/>, if that is soon enough.</summary>
    RateLimited,
}
