namespace RunnerTokens.TestKit.GitHub;

/// <summary>
/// A runner the fake GitHub API lists in a scope, as GitHub keeps it: what <c>config.sh</c> registered (group,
/// labels, flags, public key) and what the listing shows (status, busy).
/// </summary>
public sealed class FakeRunner
{
    internal FakeRunner(string scope, long id, string name)
    {
        Scope = scope;
        Id = id;
        Name = name;
    }

    /// <summary>Gets the scope the runner is registered in (<c>orgs/acme</c>, <c>repos/owner/repo</c>, <c>enterprises/ent</c>).</summary>
    public string Scope { get; }

    /// <summary>Gets the runner's id: the <c>agentId</c> of its <c>.runner</c>; a <c>--replace</c> keeps it.</summary>
    public long Id { get; }

    /// <summary>Gets the runner's name, unique in its scope (case-insensitive).</summary>
    public string Name { get; }

    /// <summary>Gets or sets <c>online</c> or <c>offline</c>; a fresh registration is offline until its listener connects.</summary>
    public string Status { get; set; } = "online";

    /// <summary>Gets or sets a value indicating whether the runner runs a job.</summary>
    public bool Busy { get; set; }

    /// <summary>Gets or sets the OS the listing shows, also the second default label.</summary>
    public string Os { get; set; } = "Linux";

    /// <summary>Gets or sets the architecture, the third default label.</summary>
    public string Architecture { get; set; } = "X64";

    /// <summary>Gets or sets a value indicating whether the runner is ephemeral (one job, then GitHub deletes it).</summary>
    public bool Ephemeral { get; set; }

    /// <summary>Gets or sets a value indicating whether the runner was registered with <c>--disableupdate</c> (<c>updates_disabled</c>).</summary>
    public bool DisableUpdate { get; set; }

    /// <summary>Gets or sets the runner group's id; 1 is the scope's <c>Default</c> group.</summary>
    public int RunnerGroupId { get; set; } = 1;

    /// <summary>
    /// Gets or sets a value indicating whether the listing shows the default labels <c>self-hosted</c>, the OS and the
    /// architecture (type <c>read-only</c>); false for a runner registered with <c>--no-default-labels</c>.
    /// </summary>
    public bool DefaultLabels { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether paged listings (without <c>name=</c>) leave the runner out while still
    /// counting it in <c>total_count</c>, as when pages shift while they are read. <c>?name=</c> still finds it.
    /// </summary>
    public bool HiddenFromPages { get; set; }

    /// <summary>Gets the custom labels (type <c>custom</c>), listed after the default labels.</summary>
    public List<string> Labels { get; } = [];

    /// <summary>
    /// Gets or sets the modulus (base64) of the public key registered by the last configure; the fake listener's
    /// session is refused when the runner's key differs. Null: any key is accepted.
    /// </summary>
    public string? PublicKeyModulus { get; set; }

    /// <summary>Gets or sets the OAuth client id GitHub gave the runner, written to <c>.credentials</c>.</summary>
    public Guid ClientId { get; set; } = Guid.NewGuid();
}
