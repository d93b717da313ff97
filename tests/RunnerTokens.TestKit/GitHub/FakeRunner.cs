namespace RunnerTokens.TestKit.GitHub;

/// <summary>A runner the fake GitHub API lists in a scope.</summary>
public sealed class FakeRunner
{
    internal FakeRunner(long id, string name)
    {
        Id = id;
        Name = name;
    }

    public long Id { get; }

    public string Name { get; }

    public string Status { get; set; } = "online";

    public bool Busy { get; set; }

    public string Os { get; set; } = "Linux";

    /// <summary>Gets or sets a value indicating whether the runner is ephemeral (<c>ephemeral</c> in listings).</summary>
    public bool Ephemeral { get; set; }

    /// <summary>Gets or sets the runner's group (<c>runner_group_id</c>; 1 is the Default group).</summary>
    public long RunnerGroupId { get; set; } = 1;

    /// <summary>Gets or sets a value indicating whether the runner was registered with <c>--no-default-labels</c>: no read-only labels.</summary>
    public bool NoDefaultLabels { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether paged listings (without <c>name=</c>) leave the runner out while still
    /// counting it in <c>total_count</c>, as when pages shift while they are read. <c>?name=</c> still finds it.
    /// </summary>
    public bool HiddenFromPages { get; set; }

    /// <summary>Gets the custom labels (type <c>custom</c>), listed after the read-only defaults <c>self-hosted</c>, the OS and <c>X64</c>.</summary>
    public List<string> Labels { get; } = [];
}
