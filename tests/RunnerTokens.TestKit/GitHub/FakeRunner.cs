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
}
