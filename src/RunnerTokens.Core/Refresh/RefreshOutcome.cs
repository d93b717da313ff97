namespace RunnerTokens;

/// <summary>What one check did for one runner.</summary>
public enum RefreshOutcome
{
    /// <summary>The registration is good for longer than the threshold: nothing to do.</summary>
    NotNeeded,

    /// <summary>The runner was re-registered.</summary>
    Refreshed,

    /// <summary>A refresh was due but the runner is running a job: postponed to the next check.</summary>
    Postponed,

    /// <summary>A dry run: the plan was logged and nothing changed.</summary>
    DryRun,

    /// <summary>The refresh failed after every attempt; the runner was left registered as before.</summary>
    Failed,
}
