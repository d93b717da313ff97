using System.Globalization;

namespace ContainerRunner;

/// <summary>A container's state as <c>docker inspect</c> gives it: <c>running</c>, <c>exited</c> (with its code), <c>created</c>, …</summary>
/// <param name="Status">Docker's status word.</param>
/// <param name="ExitCode">The exit code of its main process, once it ended.</param>
internal sealed record ContainerState(string Status, int ExitCode)
{
    /// <summary>Gets a value indicating whether the container runs.</summary>
    public bool Running => Status == "running";

    /// <summary>Gets a value indicating whether the container's main process ended (its runner stopped).</summary>
    public bool Stopped => Status is "exited" or "dead";

    /// <summary>The state in words: <c>exited with code 1</c>, <c>is running</c>.</summary>
    public string Describe() => Stopped ? $"{Status} with code {ExitCode}" : $"is {Status}";

    /// <summary>The container's state; <see langword="null"/> when Docker has no container of that name.</summary>
    /// <exception cref="RunnerReconfigurationException">Docker could not be asked, or answered what this code cannot read.</exception>
    public static async Task<ContainerState?> InspectAsync(DockerCli docker, string container, ContainerOptions settings, CancellationToken cancellationToken)
    {
        var result = await docker.RunAsync(
            ["inspect", "--type", "container", "--format", "{{.State.Status}} {{.State.ExitCode}}", container],
            settings.CommandTimeout,
            cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            // "Error: No such container: NAME" (or "No such object"), exit code 1.
            return result.Error.Contains("No such", StringComparison.Ordinal)
                ? null
                : throw new RunnerReconfigurationException(result.Describe(), RefreshFailureKind.Transient);
        }

        var parts = result.Output.Trim().Split(' ');
        return parts.Length == 2 && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var code)
            ? new ContainerState(parts[0], code)
            : throw new RunnerReconfigurationException($"{result.Command} answered '{result.Output.Trim()}', not 'STATUS EXITCODE'", RefreshFailureKind.Transient);
    }
}
