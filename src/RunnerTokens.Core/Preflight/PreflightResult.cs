namespace RunnerTokens;

/// <summary>
/// One line of a runner's preflight checklist: what was checked, how it came out, and for a failure what to change.
/// Never holds a secret.
/// </summary>
/// <param name="Title">What was checked, as a short sentence (<c>GitHub credential works</c>).</param>
/// <param name="Status">How it came out.</param>
public sealed record PreflightResult(string Title, PreflightStatus Status)
{
    /// <summary>Gets what was found: the file, the unit, the tool's own message; <see langword="null"/> for none.</summary>
    public string? Detail { get; init; }

    /// <summary>Gets what to do about a failure or a warning, naming the setting, flag or file to change; <see langword="null"/> for none.</summary>
    public string? Remedy { get; init; }

    /// <summary>
    /// Gets a value indicating whether this failure makes every refresh of the runner impossible (a daemon should not
    /// start with it), rather than some refreshes or only a side matter such as metrics.
    /// </summary>
    public bool BlocksRefresh { get; init; }

    /// <summary>A passed check.</summary>
    /// <param name="title">What was checked.</param>
    /// <param name="detail">What was found, or <see langword="null"/>.</param>
    /// <returns>The result.</returns>
    public static PreflightResult Ok(string title, string? detail = null) => new(title, PreflightStatus.Ok) { Detail = detail };

    /// <summary>A failed check.</summary>
    /// <param name="title">What was checked.</param>
    /// <param name="detail">What was found.</param>
    /// <param name="remedy">What to do, naming the setting, flag or file.</param>
    /// <param name="blocksRefresh">Whether the failure makes every refresh of the runner impossible.</param>
    /// <returns>The result.</returns>
    public static PreflightResult Failed(string title, string detail, string remedy, bool blocksRefresh) =>
        new(title, PreflightStatus.Failed) { Detail = detail, Remedy = remedy, BlocksRefresh = blocksRefresh };

    /// <summary>A check that cannot tell.</summary>
    /// <param name="title">What was checked.</param>
    /// <param name="detail">Why it cannot tell.</param>
    /// <param name="remedy">What would let it tell, or <see langword="null"/>.</param>
    /// <returns>The result.</returns>
    public static PreflightResult Unknown(string title, string detail, string? remedy = null) =>
        new(title, PreflightStatus.Unknown) { Detail = detail, Remedy = remedy };
}
