namespace RunnerTokens;

/// <summary>
/// Everything a re-registration repeats so that the runner comes back exactly as it was: its name, URL and id, its
/// group, work folder, custom labels and default-label choice, and its flags. The engine resolves it before a refresh
/// from, in this order: the runner's options (an explicit choice), its <c>.runner</c> file, what the server lists for
/// it (<see cref="IRunnerRegistrationSource"/>), and the registration record the engine keeps in the runner's state folder.
/// </summary>
public sealed record RunnerRegistration
{
    /// <summary>Gets the name to register under (the one the runner has, unless this is a rename).</summary>
    public required string Name { get; init; }

    /// <summary>Gets the URL to register with (the one the runner has, unless this is a rename).</summary>
    public required string Url { get; init; }

    /// <summary>Gets the runner's id on GitHub, when known; a re-registration under the same name keeps it.</summary>
    public long? Id { get; init; }

    /// <summary>Gets the runner group; <see langword="null"/> for the default group, and always for repository runners (they have no groups).</summary>
    public string? RunnerGroup { get; init; }

    /// <summary>Gets the work folder; <see langword="null"/> for <c>config.sh</c>'s default (<c>_work</c>).</summary>
    public string? WorkFolder { get; init; }

    /// <summary>Gets the custom labels (without <c>self-hosted</c>, the OS and the architecture).</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary>
    /// Gets a value indicating whether <see cref="Labels"/> is known. When no source knew the runner's labels it is
    /// <see langword="false"/>: no <c>--labels</c> is passed and the runner keeps only the default labels.
    /// </summary>
    public bool LabelsKnown { get; init; }

    /// <summary>Gets a value indicating whether the runner has none of the default labels (<c>config.sh --no-default-labels</c>).</summary>
    public bool NoDefaultLabels { get; init; }

    /// <summary>Gets a value indicating whether the runner is ephemeral (one job, then removed).</summary>
    public bool Ephemeral { get; init; }

    /// <summary>Gets a value indicating whether the runner's automatic updates are off (<c>config.sh --disableupdate</c>).</summary>
    public bool DisableUpdate { get; init; }

    /// <summary>Gets the runner's monitor socket address (<c>config.sh --monitorsocketaddress</c>); <see langword="null"/> for none.</summary>
    public string? MonitorSocketAddress { get; init; }

    /// <summary>
    /// Gets a value indicating whether this is an explicit rename or scope change: the runner is registered under
    /// another name or URL than <see cref="Name"/> and <see cref="Url"/>. Only then is the old registration removed on
    /// the server (with a remove token), and the runner gets a new id.
    /// </summary>
    public bool Renames { get; init; }

    /// <summary>Gets where each setting came from, one line each (<c>labels linux,gpu: GitHub's listing</c>), for the log and the dry-run plan.</summary>
    public IReadOnlyList<string> Origins { get; init; } = [];
}
