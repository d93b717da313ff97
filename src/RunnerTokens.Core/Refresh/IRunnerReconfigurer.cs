namespace RunnerTokens;

/// <summary>Re-registers one runner with a fresh registration token, leaving it registered as before if anything fails.</summary>
public interface IRunnerReconfigurer
{
    /// <summary>Re-registers <paramref name="runner"/>.</summary>
    /// <param name="runner">The runner.</param>
    /// <param name="registrationToken">A fresh registration token for the runner's scope.</param>
    /// <param name="cancellationToken">Cancels the work; an implementation rolls back what it started.</param>
    /// <returns>A task that completes when the runner is registered anew and running.</returns>
    /// <exception cref="RunnerReconfigurationException">A step failed; the runner was restored.</exception>
    Task ReconfigureAsync(RunnerContext runner, RegistrationToken registrationToken, CancellationToken cancellationToken);

    /// <summary>Describes, for a dry run, the steps <see cref="ReconfigureAsync"/> would take, without taking any.</summary>
    /// <param name="runner">The runner.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>One line per step, each command as it would run, with any secret masked.</returns>
    ValueTask<IReadOnlyList<string>> DescribePlanAsync(RunnerContext runner, CancellationToken cancellationToken);
}
