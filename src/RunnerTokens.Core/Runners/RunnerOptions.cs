namespace RunnerTokens;

/// <summary>One self-hosted runner to keep registered.</summary>
public sealed class RunnerOptions
{
    /// <summary>The runner directory used when none is given, as the seed script's <c>RUNNER_DIR</c>.</summary>
    public const string DefaultDirectory = "./actions-runner";

    /// <summary>Gets or sets the runner's name on GitHub.</summary>
    /// <value>
    /// The default value is the name the runner is registered under (<c>.runner</c>'s <c>agentName</c>), else the
    /// name in the registration record, else what <c>config.sh</c> would pick: the host name cut at the first dot.
    /// A name that differs from the registered one is refused unless <see cref="Rename"/> is set.
    /// </value>
    public string? Name { get; set; }

    /// <summary>Gets or sets the runner's installation folder, where <c>config.sh</c> and <c>.runner</c> are.</summary>
    /// <value>The default value is <c>./actions-runner</c>.</value>
    public string Directory { get; set; } = DefaultDirectory;

    /// <summary>Gets or sets the organisation; used for the URL when <see cref="Url"/> is not set.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Organization { get; set; }

    /// <summary>
    /// Gets or sets the URL the runner registers with: <c>https://github.com/ORG</c>, <c>https://github.com/OWNER/REPO</c>
    /// or <c>https://github.com/enterprises/ENT</c> (or the same on a GitHub Enterprise Server host).
    /// </summary>
    /// <value>
    /// The default value is <c>https://github.com/{Organization}</c> when an organisation is set, else the URL the
    /// runner is registered with (<c>.runner</c>'s <c>gitHubUrl</c>), else the one in the registration record. A URL
    /// that differs from the registered one is refused unless <see cref="Rename"/> is set.
    /// </value>
    public string? Url { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether a <see cref="Name"/> or <see cref="Url"/> that differs from the runner's
    /// registration is an intended rename or move: the old registration is removed on the server and the runner is
    /// registered anew under the new name or URL, with a new id.
    /// </summary>
    /// <value>The default value is <see langword="false"/>: a differing name or URL is refused at start.</value>
    public bool Rename { get; set; }

    /// <summary>Gets the custom labels to register the runner with.</summary>
    /// <value>The default value is empty: the custom labels the runner has are kept.</value>
    public IList<string> Labels { get; } = [];

    /// <summary>Gets or sets the runner group to register the runner in.</summary>
    /// <value>The default value is <see langword="null"/>: the group the runner is in.</value>
    public string? RunnerGroup { get; set; }

    /// <summary>Gets or sets a value indicating whether the runner registers as ephemeral (one job, then removed).</summary>
    /// <value>The default value is <see langword="null"/>: as the runner is registered.</value>
    public bool? Ephemeral { get; set; }

    /// <summary>Gets or sets a value indicating whether the runner registers with automatic updates turned off.</summary>
    /// <value>The default value is <see langword="null"/>: as the runner is registered.</value>
    public bool? DisableUpdate { get; set; }

    /// <summary>Gets or sets a value indicating whether the runner registers without the default labels (<c>self-hosted</c>, the OS, the architecture).</summary>
    /// <value>The default value is <see langword="null"/>: as the runner is registered.</value>
    public bool? NoDefaultLabels { get; set; }

    /// <summary>Gets or sets the folder for this runner's state (expiry cache, failure count, backups, journal).</summary>
    /// <value>
    /// The default value is <see langword="null"/>: <c>{StateDirectory}/{Name}</c> when the refresher has a state folder,
    /// else <c>.token-refresh</c> inside the runner directory.
    /// </value>
    public string? StateDirectory { get; set; }

    /// <summary>Gets or sets the metrics file for this runner.</summary>
    /// <value>The default value is <see langword="null"/>: <see cref="RunnerTokenRefreshOptions.MetricsFile"/>.</value>
    public string? MetricsFile { get; set; }
}
