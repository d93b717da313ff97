namespace RunnerTokens;

/// <summary>
/// Tells how the server lists a runner: its id, custom labels, default-label choice and flags. A re-registration
/// keeps them, as the runner's own files do not record its labels.
/// </summary>
public interface IRunnerRegistrationSource
{
    /// <summary>Looks <paramref name="runner"/> up by its name in its scope.</summary>
    /// <param name="runner">The runner.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>
    /// The runner as the server lists it; <see langword="null"/> only when the server confirms it has no runner of that
    /// name. When the server cannot be asked, or cannot tell, this throws: "not found" is never guessed.
    /// </returns>
    ValueTask<RegisteredRunner?> FindAsync(RunnerContext runner, CancellationToken cancellationToken);
}
