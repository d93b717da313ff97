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

    /// <summary>
    /// Looks <paramref name="runner"/> up, or gives an answer the source already has that is no older than
    /// <paramref name="maxAge"/>: for a record kept up to date at ordinary checks, never for a registration about to be
    /// made (that one asks with <see cref="FindAsync(RunnerContext, CancellationToken)"/>). A source that keeps nothing
    /// asks, which is what this default does.
    /// </summary>
    /// <param name="runner">The runner.</param>
    /// <param name="maxAge">How old an answer may be.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>As <see cref="FindAsync(RunnerContext, CancellationToken)"/>.</returns>
    ValueTask<RegisteredRunner?> FindAsync(RunnerContext runner, TimeSpan maxAge, CancellationToken cancellationToken) =>
        FindAsync(runner, cancellationToken);
}
