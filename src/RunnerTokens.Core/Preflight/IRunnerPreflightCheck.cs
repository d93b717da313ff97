namespace RunnerTokens;

/// <summary>
/// One item of the preflight checklist (<c>--check-config</c>): whether something a refresh needs works for a runner,
/// and what to do when it does not. Each package adds its own (the credential, the unit, the paths).
/// </summary>
public interface IRunnerPreflightCheck
{
    /// <summary>
    /// Gets a value indicating whether the engine runs this check before every real refresh, before any registration
    /// token is fetched: a failure then fails the refresh with nothing fetched and the runner untouched. Only for
    /// cheap checks of what a refresh cannot do without, such as the right to stop and start the runner's unit.
    /// </summary>
    bool GuardsRefresh { get; }

    /// <summary>Checks <paramref name="runner"/>. Every process or HTTP call it makes has a time limit.</summary>
    /// <param name="runner">The runner.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>One result per line of the checklist; none when the check does not apply to this runner.</returns>
    ValueTask<IReadOnlyList<PreflightResult>> CheckAsync(RunnerContext runner, CancellationToken cancellationToken);
}
