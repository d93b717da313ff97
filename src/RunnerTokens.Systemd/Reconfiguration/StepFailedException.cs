namespace RunnerTokens.Systemd;

/// <summary>A step of the sequence failed; the message carries the tool's own text, already masked.</summary>
internal sealed class StepFailedException : Exception
{
    /// <summary>A failed command, retried or not as its output says (<see cref="CommandFailure.KindOf"/>).</summary>
    public StepFailedException(CommandOutcome outcome, string? hint = null)
        : base(outcome.Describe() + hint)
    {
        Kind = CommandFailure.KindOf(outcome);
    }

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

    /// <summary>Gets whether trying the step again can help; transient unless the tool's own words say otherwise.</summary>
    public RefreshFailureKind Kind { get; init; } = RefreshFailureKind.Transient;
}
