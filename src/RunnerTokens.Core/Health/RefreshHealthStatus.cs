namespace RunnerTokens;

/// <summary>Health of the refresher, with the exit codes Nagios and Icinga expect.</summary>
public enum RefreshHealthStatus
{
    /// <summary>Healthy: exit code 0.</summary>
    Ok = 0,

    /// <summary>Needs a look: exit code 1.</summary>
    Warning = 1,

    /// <summary>Broken: exit code 2.</summary>
    Critical = 2,
}
