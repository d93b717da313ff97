namespace RunnerTokens.Host.CommandLine;

/// <summary>What was given on the command line, as text; <see cref="HostSettings"/> checks and converts it.</summary>
internal sealed record HostArguments
{
    public bool Daemon { get; init; }

    public bool CheckAndRefresh { get; init; }

    public bool Health { get; init; }

    public bool CheckConfig { get; init; }

    /// <summary>Gets the <c>--config</c> file, if given.</summary>
    public string? Config { get; init; }

    /// <summary>Gets the settings given by flags, with their text as typed (a switch as <c>true</c> or <c>false</c>).</summary>
    public IReadOnlyList<KeyValuePair<HostSetting, string>> Flags { get; init; } = [];
}
