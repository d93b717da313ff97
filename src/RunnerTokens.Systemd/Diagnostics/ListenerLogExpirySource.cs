namespace RunnerTokens.Systemd;

/// <summary>
/// The listener's own word: "invalid now" when the newest <c>_diag/Runner_*.log</c> says the registration was deleted
/// from the server (after the current registration). Otherwise "unknown", never "valid": a log proves a deletion,
/// but a connection logged long ago does not prove the registration still exists, so this source leaves that
/// decision to the others (an "unknown" changes no decision of the engine).
/// </summary>
internal sealed class ListenerLogExpirySource(DiagLogReader reader) : IExpirySource
{
    public const string SourceName = "listener-log";

    public ValueTask<ExpiryObservation> ObserveAsync(RunnerContext runner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        cancellationToken.ThrowIfCancellationRequested();
        DiagLogVerdict verdict;
        try
        {
            verdict = reader.Read(runner.Directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ValueTask.FromResult(ExpiryObservation.Unknown(SourceName, $"cannot read the listener log: {ex.Message}"));
        }

        return ValueTask.FromResult(verdict.Deleted
            ? ExpiryObservation.Invalid(SourceName, $"the listener logged that the registration is gone from the server: {verdict.Explanation}")
            : ExpiryObservation.Unknown(SourceName, verdict.Explanation));
    }
}
