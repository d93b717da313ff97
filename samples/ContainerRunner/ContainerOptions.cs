using System.Text.RegularExpressions;

namespace ContainerRunner;

/// <summary>How the runners' containers are run (the <c>Container</c> section of appsettings.json).</summary>
internal sealed partial class ContainerOptions
{
    /// <summary>Gets or sets the image, whose entrypoint registers the runner from the environment and runs it (see Program.cs).</summary>
    public string Image { get; set; } = string.Empty;

    /// <summary>Gets or sets the start of each container's name; the runner's name follows (<c>actions-runner-build-1</c>).</summary>
    public string NamePrefix { get; set; } = "actions-runner-";

    /// <summary>Gets or sets the Docker client: a name looked up on <c>PATH</c>, or a path.</summary>
    public string Docker { get; set; } = "docker";

    /// <summary>Gets or sets how long <c>docker rm</c>, <c>inspect</c> and <c>logs</c> may take.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets how long <c>docker run</c> may take; it pulls the image when the host has none.</summary>
    public TimeSpan RunTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets or sets how long a new container may take to print "Listening for Jobs".</summary>
    public TimeSpan ListenTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The container of <paramref name="runner"/>.</summary>
    /// <exception cref="RunnerReconfigurationException">The runner's name makes no container name Docker accepts.</exception>
    public string ContainerFor(RunnerContext runner)
    {
        var name = NamePrefix + runner.Name;
        return ContainerName().IsMatch(name)
            ? name
            : throw new RunnerReconfigurationException(
                $"Runner {runner.Name}: '{name}' is not a container name Docker accepts ([a-zA-Z0-9][a-zA-Z0-9_.-]*); change Container:NamePrefix or the runner's name",
                RefreshFailureKind.Permanent);
    }

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex ContainerName();
}
