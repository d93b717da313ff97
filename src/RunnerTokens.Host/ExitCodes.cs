namespace RunnerTokens.Host;

/// <summary>Exit codes, as Unix daemons and the seed script use them.</summary>
internal static class ExitCodes
{
    /// <summary>Nothing needed, refreshed, postponed (busy), dry run, or a clean stop.</summary>
    public const int Success = 0;

    /// <summary>A refresh failed.</summary>
    public const int RefreshFailed = 1;

    /// <summary>Invalid arguments or configuration.</summary>
    public const int InvalidConfiguration = 2;
}
