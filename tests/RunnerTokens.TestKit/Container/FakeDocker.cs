using RunnerTokens.TestKit.Runner;

namespace RunnerTokens.TestKit.Container;

/// <summary>
/// A bash <c>docker</c> client (<c>Container/Scripts/docker.sh</c>) as strict as the real one for what a runner's
/// container needs: <c>rm -f</c>, <c>run -d --name N -e …  IMAGE</c>, <c>inspect --type container --format</c> and
/// <c>logs</c>; any other command or flag fails. <c>run</c> refuses a name in use and a bare <c>-e NAME</c> whose
/// variable is not in its environment, and its container prints "Listening for Jobs" at once. It records every call's
/// arguments and each container's environment, and fails a call that holds a GitHub credential in its environment,
/// or a registration token in a command other than <c>run</c>.
/// </summary>
public sealed class FakeDocker
{
    private FakeDocker(string binDirectory, string stateDirectory)
    {
        BinDirectory = binDirectory;
        StateDirectory = stateDirectory;
        Directory.CreateDirectory(binDirectory);
        Directory.CreateDirectory(Path.Combine(stateDirectory, "containers"));
        ExecutableScript.Write(
            Path.Combine(binDirectory, "docker"),
            ExecutableScript.Load("docker.sh").Replace("__STATE__", ExecutableScript.Quote(stateDirectory), StringComparison.Ordinal));
    }

    /// <summary>Gets the folder holding the script, to put first on a child process's PATH.</summary>
    public string BinDirectory { get; }

    /// <summary>Gets the folder with the fake's records and containers.</summary>
    public string StateDirectory { get; }

    /// <summary>Gets every call so far, each argument in brackets: <c>[rm] [-f] [x]</c>.</summary>
    public IReadOnlyList<string> Calls => ExecutableScript.ReadLines(Path.Combine(StateDirectory, "calls.log"));

    /// <summary>Writes a fake <c>docker</c> into <paramref name="binDirectory"/>, keeping its containers in <paramref name="stateDirectory"/>.</summary>
    /// <param name="binDirectory">Where the script goes.</param>
    /// <param name="stateDirectory">Where its records and containers go.</param>
    /// <returns>The fake.</returns>
    public static FakeDocker Create(string binDirectory, string stateDirectory) => new(binDirectory, stateDirectory);

    /// <summary>Adds a container as an earlier <c>run</c> left it: <c>running</c>, or <c>exited</c> with <paramref name="exitCode"/>.</summary>
    public void AddContainer(string name, string image, bool running, int exitCode = 0, IReadOnlyDictionary<string, string>? environment = null, string log = "")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var folder = ContainerFolder(name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "id"), Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N") + "\n");
        File.WriteAllText(Path.Combine(folder, "image"), image + "\n");
        File.WriteAllText(Path.Combine(folder, "state"), running ? "running 0\n" : $"exited {exitCode}\n");
        File.WriteAllText(Path.Combine(folder, "env"), string.Concat((environment ?? new Dictionary<string, string>()).Select(e => $"{e.Key}={e.Value}\n")));
        File.WriteAllText(Path.Combine(folder, "log"), log);
    }

    /// <summary>The container's state (<c>running 0</c>, <c>exited 1</c>); null when there is no container of that name.</summary>
    public string? State(string name) => File.Exists(Path.Combine(ContainerFolder(name), "state")) ? File.ReadAllText(Path.Combine(ContainerFolder(name), "state")).Trim() : null;

    /// <summary>The environment the container was started with, as <c>run</c> resolved it (bare <c>-e NAME</c> from docker's environment).</summary>
    public IReadOnlyDictionary<string, string> Environment(string name) =>
        ExecutableScript.ReadLines(Path.Combine(ContainerFolder(name), "env"))
            .Select(line => line.Split('=', 2))
            .ToDictionary(parts => parts[0], parts => parts.Length > 1 ? parts[1] : string.Empty, StringComparer.Ordinal);

    private string ContainerFolder(string name) => Path.Combine(StateDirectory, "containers", name);
}
