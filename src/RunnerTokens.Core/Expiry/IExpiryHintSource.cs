namespace RunnerTokens;

/// <summary>
/// A local <see cref="IExpirySource"/> whose observations only point the <see cref="IRemoteExpirySource"/>s at a runner:
/// it says <see cref="ExpiryObservationKind.Doubtful"/> or <see cref="ExpiryObservationKind.Unknown"/>, never more
/// (the runner's unit is not running, say), so that a remote source asks its server now rather than at its slow cadence.
/// </summary>
/// <remarks>
/// The engine asks it only when at least one remote source is registered: without one its answer changes no decision,
/// and a daemon of many runners would pay for it at every check of every runner.
/// </remarks>
public interface IExpiryHintSource : IExpirySource;
