namespace RunnerTokens;

/// <summary>Runs every <see cref="IRunnerPreflightCheck"/> for every configured runner: the checklist of <c>--check-config</c>.</summary>
public interface IRunnerPreflight
{
    /// <summary>
    /// Checks every configured runner. A runner whose settings cannot be resolved (no directory, a name or URL that
    /// differs from its <c>.runner</c>) gets one failed line per problem instead of the other checks. Fetches no
    /// registration token and changes nothing but a temporary file in each folder it tests for writing.
    /// </summary>
    /// <param name="cancellationToken">Cancels the checks.</param>
    /// <returns>One report per configured runner, in the configured order.</returns>
    Task<IReadOnlyList<RunnerPreflightReport>> RunAsync(CancellationToken cancellationToken);
}
