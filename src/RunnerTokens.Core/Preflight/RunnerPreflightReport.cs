namespace RunnerTokens;

/// <summary>The preflight checklist of one runner.</summary>
/// <param name="RunnerName">The runner's name (or, when its settings could not be resolved, what it was configured as).</param>
/// <param name="Directory">The runner's installation folder.</param>
/// <param name="Results">The lines of the checklist, in order.</param>
public sealed record RunnerPreflightReport(string RunnerName, string Directory, IReadOnlyList<PreflightResult> Results)
{
    /// <summary>Gets a value indicating whether no check failed (a check that cannot tell is not a failure).</summary>
    public bool Passed => Results.All(r => r.Status != PreflightStatus.Failed);

    /// <summary>Gets a value indicating whether a failed check makes every refresh of this runner impossible.</summary>
    public bool BlocksRefresh => Results.Any(r => r.Status == PreflightStatus.Failed && r.BlocksRefresh);
}
