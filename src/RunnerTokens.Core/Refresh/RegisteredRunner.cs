namespace RunnerTokens;

/// <summary>A runner as the server lists it, with what a re-registration must keep that the runner's own files do not record.</summary>
/// <param name="Id">The runner's id.</param>
/// <param name="Name">The runner's name.</param>
public sealed record RegisteredRunner(long Id, string Name)
{
    /// <summary>Gets the custom labels, in the server's order (those <c>config.sh --labels</c> gave).</summary>
    public IReadOnlyList<string> CustomLabels { get; init; } = [];

    /// <summary>Gets a value indicating whether the runner has the default labels (<c>self-hosted</c>, the OS, the architecture).</summary>
    public bool HasDefaultLabels { get; init; } = true;

    /// <summary>Gets a value indicating whether the runner is ephemeral; <see langword="null"/> when the server does not say.</summary>
    public bool? Ephemeral { get; init; }

    /// <summary>Gets the id of the runner's group; <see langword="null"/> when the server does not say.</summary>
    public long? RunnerGroupId { get; init; }

    /// <summary>Gets a value indicating whether the runner is running a job.</summary>
    public bool Busy { get; init; }

    /// <summary>Gets the runner's status as the server says it (<c>online</c>, <c>offline</c>); <see langword="null"/> when it does not.</summary>
    public string? Status { get; init; }
}
