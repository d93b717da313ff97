namespace RunnerTokens.Systemd;

/// <summary>A step of the sequence failed; the message carries the tool's own text, already masked.</summary>
internal sealed class StepFailedException : Exception
{
    public StepFailedException()
    {
    }

    public StepFailedException(string message)
        : base(message)
    {
    }

    public StepFailedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
