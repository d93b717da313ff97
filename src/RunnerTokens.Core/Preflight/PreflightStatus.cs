namespace RunnerTokens;

/// <summary>How one preflight check came out.</summary>
public enum PreflightStatus
{
    /// <summary>The check passed.</summary>
    Ok,

    /// <summary>The check failed: what it checks does not work as configured.</summary>
    Failed,

    /// <summary>The check cannot tell (a service it asks is unreachable, a tool it needs is missing): a warning, not a failure.</summary>
    Unknown,
}
