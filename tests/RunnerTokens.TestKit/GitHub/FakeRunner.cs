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

    /// <summary>Gets the custom labels (type <c>custom</c>), listed after the read-only defaults <c>self-hosted</c>, the OS and <c>X64</c>.</summary>
    public List<string> Labels { get; } = [];
}
