namespace RunnerTokens;

/// <summary>A step of re-registering a runner failed. The message names the step and carries the tool's own error text, secrets masked.</summary>
public sealed class RunnerReconfigurationException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="RunnerReconfigurationException"/> class.</summary>
    public RunnerReconfigurationException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RunnerReconfigurationException"/> class.</summary>
    /// <param name="message">What failed.</param>
    public RunnerReconfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RunnerReconfigurationException"/> class.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public RunnerReconfigurationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
