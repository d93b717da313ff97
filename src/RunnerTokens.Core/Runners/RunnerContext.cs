namespace RunnerTokens;

/// <summary>
/// One runner as the engine hands it to the plug points: its configuration with every default resolved.
/// </summary>
public sealed class RunnerContext
{
    private RunnerFilePaths? _files;
    private double? _nameFraction;

    /// <summary>Initializes a new instance of the <see cref="RunnerContext"/> class.</summary>
    /// <param name="name">The runner's name on GitHub.</param>
    /// <param name="directory">The runner's installation folder, as an absolute path.</param>
    /// <param name="url">The URL the runner registers with.</param>
    /// <param name="stateDirectory">The folder for this runner's state, as an absolute path.</param>
    public RunnerContext(string name, string directory, string url, string stateDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        ArgumentException.ThrowIfNullOrWhiteSpace(stateDirectory);
        Name = name;
        Directory = directory;
        Url = url;
        Scope = RunnerScope.Parse(url);
        StateDirectory = stateDirectory;
    }

    /// <summary>Gets the runner's name on GitHub.</summary>
    public string Name { get; }

    /// <summary>Gets the runner's installation folder, as an absolute path.</summary>
    public string Directory { get; }

    /// <summary>Gets the URL the runner registers with.</summary>
    public string Url { get; }

    /// <summary>Gets the scope the URL names.</summary>
    public RunnerScope Scope { get; }

    /// <summary>Gets the folder for this runner's state, as an absolute path.</summary>
    public string StateDirectory { get; }

    /// <summary>Gets the custom labels to register with; empty to keep the runner's own.</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary>Gets the runner group to register in; <see langword="null"/> to keep the runner's own.</summary>
    public string? RunnerGroup { get; init; }

    /// <summary>Gets a value indicating whether the runner registers as ephemeral; <see langword="null"/> to keep the runner's own choice.</summary>
    public bool? Ephemeral { get; init; }

    /// <summary>Gets a value indicating whether the runner registers with automatic updates turned off; <see langword="null"/> to keep the runner's own choice.</summary>
    public bool? DisableUpdate { get; init; }

    /// <summary>Gets a value indicating whether the runner registers without the default labels; <see langword="null"/> to keep the runner's own choice.</summary>
    public bool? NoDefaultLabels { get; init; }

    /// <summary>
    /// Gets a value indicating whether <see cref="Name"/> or <see cref="Url"/> may differ from the runner's registration:
    /// an intended rename or move (the old registration is removed on the server, the runner gets a new id).
    /// </summary>
    public bool AllowRename { get; init; }

    /// <summary>Gets the metrics file for this runner; <see langword="null"/> when it has none.</summary>
    public string? MetricsFile { get; init; }

    /// <summary>Gets the stamp of <c>.runner</c> as the current check of the runner took it.</summary>
    internal CheckStamps Stamps { get; } = new();

    /// <summary>Gets the paths of the runner's files that every check looks at.</summary>
    internal RunnerFilePaths Files => _files ??= new(Directory, StateDirectory);

    /// <summary>
    /// Gets a fraction in [0, 1) drawn from the runner's name (SHA-256), the same in every process and at every check:
    /// it spreads what the runners of one host, started together, would otherwise all do in one check.
    /// </summary>
    internal double NameFraction => _nameFraction ??= StableFraction.Of(Name);

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Scope.DisplayName})";
}
