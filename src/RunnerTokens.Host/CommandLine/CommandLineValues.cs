namespace RunnerTokens.Host.CommandLine;

/// <summary>What was given on the command line, as text; <see cref="HostSettings"/> checks and converts it.</summary>
internal sealed record CommandLineValues
{
    public bool Daemon { get; init; }

    public bool CheckAndRefresh { get; init; }

    public bool Health { get; init; }

    public bool DryRun { get; init; }

    public string? Org { get; init; }

    public string? RunnerDir { get; init; }

    public string? Threshold { get; init; }

    public string? Interval { get; init; }

    public string? LogFile { get; init; }

    public string? Url { get; init; }

    public string? Name { get; init; }

    public bool Rename { get; init; }

    public string? MetricsFile { get; init; }

    public string? Labels { get; init; }

    public string? Policy { get; init; }

    public string? Config { get; init; }

    public string? Service { get; init; }

    public string? ApiUrl { get; init; }

    public string? TokenFile { get; init; }

    public string? AppId { get; init; }

    public string? AppKeyFile { get; init; }

    public string? InstallationId { get; init; }
}
