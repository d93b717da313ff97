namespace RunnerTokens;

/// <summary>
/// An <see cref="IExpirySource"/> that asks a server (GitHub, say), which costs requests against a rate limit shared by a
/// whole fleet. The engine asks it after the local sources (the runner's files, the listener's log) and hands it what
/// they observed, so it can ask the server only when they see something wrong
/// (<see cref="ExpiryObservationKind.Doubtful"/>), or at its own slow cadence otherwise.
/// </summary>
/// <remarks>
/// When a local source already says <see cref="ExpiryObservationKind.InvalidNow"/>, the engine does not ask the remote
/// sources at all: the registration is renewed whatever they would say.
/// </remarks>
public interface IRemoteExpirySource : IExpirySource
{
    /// <summary>Observes one runner, knowing what the local sources observed.</summary>
    /// <param name="runner">The runner.</param>
    /// <param name="local">What the local sources observed at this check, in their order.</param>
    /// <param name="cancellationToken">Cancels the observation.</param>
    /// <returns>What the source observed.</returns>
    ValueTask<ExpiryObservation> ObserveAsync(RunnerContext runner, IReadOnlyList<ExpiryObservation> local, CancellationToken cancellationToken);
}
