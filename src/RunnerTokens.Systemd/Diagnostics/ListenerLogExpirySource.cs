namespace RunnerTokens.Systemd;

/// <summary>
/// The listener's own word: "invalid now" when the newest listener log ends in one of the listener's terminal exits
/// (registration deleted, OAuth token revoked, session refused, ...), logged after the current registration.
/// Otherwise "unknown", never "valid": a log proves the listener gave up, but a "Listening for Jobs" logged long ago
/// does not prove the registration still exists, so this source leaves that decision to the others. "Doubtful" when
/// no listener runs the current registration by the logs (none at all, or only one that gave up before the runner was
/// registered again): a source that asks GitHub (<see cref="IRemoteExpirySource"/>) then asks now rather than at its
/// slow cadence.
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

        return ValueTask.FromResult(
            verdict.Terminal ? ExpiryObservation.Invalid(SourceName, $"the listener gave up and does not come back by itself: {verdict.Explanation}")
            : verdict.Doubtful ? ExpiryObservation.Doubtful(SourceName, verdict.Explanation)
            : ExpiryObservation.Unknown(SourceName, verdict.Explanation));
    }
}
