namespace RunnerTokens.TestKit.Runner;

/// <summary>What a fake runner directory holds, as <c>config.sh</c> and <c>svc.sh install</c> would have left it.</summary>
public sealed record RunnerLayout
{
    /// <summary>Gets the runner's id on GitHub, written as <c>agentId</c>.</summary>
    public int AgentId { get; init; } = 42;

    /// <summary>Gets the runner's name, written as <c>agentName</c>.</summary>
    public string Name { get; init; } = "runner-1";

    /// <summary>Gets the URL the runner was registered with, written as <c>gitHubUrl</c>.</summary>
    public string GitHubUrl { get; init; } = "https://github.com/my-org";

    /// <summary>Gets the runner group (agent pool), written as <c>poolName</c>.</summary>
    public string PoolName { get; init; } = "Default";

    /// <summary>Gets the work folder, written as <c>workFolder</c>.</summary>
    public string WorkFolder { get; init; } = "_work";

    /// <summary>Gets a value indicating whether <c>.runner</c> says ephemeral.</summary>
    public bool Ephemeral { get; init; }

    /// <summary>Gets the unit name written to <c>.service</c>; null for a runner that is not a service.</summary>
    public string? Unit { get; init; } = "actions.runner.my-org.runner-1.service";

    /// <summary>Gets a value indicating whether the server pushed new settings (<c>.runner_migrated</c>, <c>.credentials_migrated</c>).</summary>
    public bool Migrated { get; init; }

    /// <summary>Gets a value indicating whether the runner is configured at all (<c>.runner</c>, <c>.credentials</c>, key).</summary>
    public bool Configured { get; init; } = true;
}
