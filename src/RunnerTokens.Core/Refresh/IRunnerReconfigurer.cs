namespace RunnerTokens;

/// <summary>Re-registers one runner with a fresh registration token, leaving it registered as before if anything fails.</summary>
public interface IRunnerReconfigurer
{
    /// <summary>Re-registers <paramref name="runner"/> exactly as <paramref name="registration"/> describes it.</summary>
    /// <param name="runner">The runner.</param>
    /// <param name="registration">Every setting to register with, as the engine resolved them.</param>
    /// <param name="registrationToken">A fresh registration token for the runner's scope.</param>
    /// <param name="cancellationToken">Cancels the work; an implementation rolls back what it started.</param>
    /// <returns>A task that completes when the runner is registered anew and listening for jobs.</returns>
    /// <exception cref="RunnerReconfigurationException">A step failed; the runner was restored, or kept registered anew.</exception>
    Task ReconfigureAsync(RunnerContext runner, RunnerRegistration registration, RegistrationToken registrationToken, CancellationToken cancellationToken);

    /// <summary>Describes, for a dry run, the steps <see cref="ReconfigureAsync"/> would take, without taking any.</summary>
    /// <param name="runner">The runner.</param>
    /// <param name="registration">Every setting to register with, as the engine resolved them.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>One line per step, each command as it would run, with any secret masked.</returns>
    ValueTask<IReadOnlyList<string>> DescribePlanAsync(RunnerContext runner, RunnerRegistration registration, CancellationToken cancellationToken);
}
