namespace RunnerTokens;

/// <summary>
/// Repairs what an interrupted refresh left behind (a crash or power loss between steps), so a runner ends either
/// registered anew or restored, never half-removed.
/// </summary>
/// <remarks>The engine calls every registered recovery at each check of a runner, before observing it, except in a dry run.</remarks>
public interface IRefreshRecovery
{
    /// <summary>Repairs <paramref name="runner"/> if an earlier refresh of it was interrupted; returns at once otherwise.</summary>
    /// <param name="runner">The runner.</param>
    /// <param name="cancellationToken">Cancels the repair.</param>
    /// <returns>A task that completes when the runner is consistent again.</returns>
    ValueTask RecoverAsync(RunnerContext runner, CancellationToken cancellationToken);
}
