namespace RunnerTokens;

/// <summary>
/// A step of re-registering a runner failed. The message names the step and carries the tool's own error text, secrets
/// masked; <see cref="RunnerRefreshException.Kind"/> says whether trying again can help.
/// </summary>
public sealed class RunnerReconfigurationException : RunnerRefreshException
{
    /// <summary>Initializes a new instance of the <see cref="RunnerReconfigurationException"/> class, transient.</summary>
    public RunnerReconfigurationException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RunnerReconfigurationException"/> class, transient.</summary>
    /// <param name="message">What failed.</param>
    public RunnerReconfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RunnerReconfigurationException"/> class, transient.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public RunnerReconfigurationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RunnerReconfigurationException"/> class.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="kind">Whether trying again can help.</param>
    /// <param name="innerException">The cause.</param>
    public RunnerReconfigurationException(string message, RefreshFailureKind kind, Exception? innerException = null)
        : base(message, kind, innerException)
    {
    }
}
