namespace RunnerTokens;

/// <summary>
/// Tells which custom labels a runner has now, so a re-registration can keep them when the runner's options list
/// none (the runner's own files do not record its labels).
/// </summary>
public interface IRunnerLabelSource
{
    /// <summary>Asks for the custom labels of <paramref name="runner"/>, without the default ones (<c>self-hosted</c>, the OS, the architecture).</summary>
    /// <param name="runner">The runner.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>
    /// The runner's custom labels, empty when it has none; <see langword="null"/> when this source does not know (it
    /// does not list the runner), so that another source may answer.
    /// </returns>
    ValueTask<IReadOnlyList<string>?> GetCustomLabelsAsync(RunnerContext runner, CancellationToken cancellationToken);
}
