namespace RunnerTokens.TestKit.Runner;

/// <summary>
/// What a fake runner directory holds, as <c>config.sh</c> and <c>svc.sh install</c> would have left it, and what
/// <see cref="FakeRunnerMachine"/> registers on the fake GitHub for it (id, name, group, labels, flags).
/// </summary>
public sealed record RunnerLayout
{
    /// <summary>Gets the runner's id on GitHub, written as <c>agentId</c>.</summary>
    public int AgentId { get; init; } = 42;

    /// <summary>Gets the runner's name, written as <c>agentName</c>.</summary>
    public string Name { get; init; } = "runner-1";

    /// <summary>Gets the URL the runner was registered with, written as <c>gitHubUrl</c>.</summary>
    public string GitHubUrl { get; init; } = "https://github.com/my-org";

    /// <summary>Gets the runner group (agent pool), written as <c>poolName</c>; created on the fake GitHub when missing.</summary>
    public string PoolName { get; init; } = "Default";

    /// <summary>Gets the runner group's id, written as <c>poolId</c>; <see cref="FakeRunnerMachine"/> sets the one GitHub gave the group.</summary>
    public int PoolId { get; init; } = 1;

    /// <summary>Gets the work folder, written as <c>workFolder</c>.</summary>
    public string WorkFolder { get; init; } = "_work";

    /// <summary>Gets a value indicating whether <c>.runner</c> says ephemeral.</summary>
    public bool Ephemeral { get; init; }

    /// <summary>Gets a value indicating whether the runner was registered with <c>--disableupdate</c>; <c>.runner</c> says <c>disableUpdate</c>.</summary>
    public bool DisableUpdate { get; init; }

    /// <summary>Gets the <c>--monitorsocketaddress</c>, written as <c>monitorSocketAddress</c>; null for none.</summary>
    public string? MonitorSocketAddress { get; init; }

    /// <summary>Gets the custom labels GitHub lists for the runner (<c>--labels</c>); like the real runner, nothing local stores them.</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary>Gets a value indicating whether the runner was registered with <c>--no-default-labels</c> (GitHub lists no <c>self-hosted</c>, OS, architecture).</summary>
    public bool NoDefaultLabels { get; init; }

    /// <summary>Gets the unit name written to <c>.service</c>; null for a runner that is not a service.</summary>
    public string? Unit { get; init; } = "actions.runner.my-org.runner-1.service";

    /// <summary>Gets a value indicating whether the server pushed new settings (<c>.runner_migrated</c>, <c>.credentials_migrated</c>).</summary>
    public bool Migrated { get; init; }

    /// <summary>Gets a value indicating whether the runner is configured at all (<c>.runner</c>, <c>.credentials</c>, key) and registered on GitHub.</summary>
    public bool Configured { get; init; } = true;
}
