using Microsoft.Extensions.Options;

namespace ContainerRunner;

/// <summary>
/// Re-registers a runner that lives in a container by replacing the container: <c>docker rm -f</c> the old one, then
/// <c>docker run -d</c> a fresh one whose entrypoint registers with the new token (<c>config.sh --replace</c>, so
/// GitHub keeps the runner's id) under the name, URL, labels and flags the engine resolved, and wait for
/// "Listening for Jobs" in its log. The token reaches the container only through the Docker client's environment.
/// </summary>
/// <remarks>
/// Nothing is restored on a failure: the old container is removed first, as its name is needed, and it is replaced
/// because its runner stopped (<see cref="ContainerExpirySource"/>). A new container that does not come up is left for
/// <c>docker logs</c>; the next check sees it stopped and replaces it again.
/// </remarks>
internal sealed partial class ContainerReconfigurer(
    DockerCli docker, IOptions<ContainerOptions> options, TimeProvider timeProvider, ILogger<ContainerReconfigurer> logger) : IRunnerReconfigurer
{
    private const string Listening = "Listening for Jobs";
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    public async Task ReconfigureAsync(RunnerContext runner, RunnerRegistration registration, RegistrationToken registrationToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(registration);
        ArgumentNullException.ThrowIfNull(registrationToken);
        var settings = options.Value;
        var container = settings.ContainerFor(runner);
        RefuseRename(runner, registration);

        Replacing(logger, runner.Name, container, settings.Image);
        var removed = await docker.RunAsync(["rm", "-f", container], settings.CommandTimeout, cancellationToken).ConfigureAwait(false);
        Ensure(runner, removed, registrationToken, "remove the old container");

        var started = await docker.RunAsync(RunArguments(container, registration, settings), settings.RunTimeout, cancellationToken, registrationToken.Token).ConfigureAwait(false);
        Ensure(runner, started, registrationToken, "start the new container");

        await WaitUntilListeningAsync(runner, container, registrationToken, cancellationToken).ConfigureAwait(false);
        Replaced(logger, runner.Name, container);
    }

    public ValueTask<IReadOnlyList<string>> DescribePlanAsync(RunnerContext runner, RunnerRegistration registration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(registration);
        cancellationToken.ThrowIfCancellationRequested();
        var settings = options.Value;
        var container = settings.ContainerFor(runner);
        RefuseRename(runner, registration);
        IReadOnlyList<string> plan =
        [
            $"register '{registration.Name}' at {registration.Url}{(registration.Id is { } id ? $" (id {id})" : string.Empty)} in a new container, with the settings resolved as: {string.Join("; ", registration.Origins)}",
            $"remove: docker rm -f {container}   (the old container, stopped or not)",
            $"start: {DockerCli.RunnerTokenVariable}=*** docker {string.Join(' ', RunArguments(container, registration, settings))}   (the token only in docker's environment)",
            $"listen: wait up to {settings.ListenTimeout.TotalSeconds:0} s (Container:ListenTimeout) for \"{Listening}\" in docker logs {container}",
            "on a failure or cancellation: nothing to restore (the old container is gone); a new container that did not come up is left for docker logs, and the next check replaces it",
        ];
        return ValueTask.FromResult(plan);
    }

    /// <summary>
    /// <c>docker run</c>'s arguments: the settings as variables for the image's entrypoint, and <c>-e RUNNER_TOKEN</c>
    /// without a value, so Docker takes the token from its own environment. No <c>--restart</c>: this service restarts it.
    /// </summary>
    private static List<string> RunArguments(string container, RunnerRegistration registration, ContainerOptions settings)
    {
        List<string> arguments = ["run", "-d", "--name", container, "-e", $"RUNNER_NAME={registration.Name}", "-e", $"RUNNER_URL={registration.Url}"];
        if (registration.LabelsKnown && registration.Labels.Count > 0)
        {
            arguments.AddRange(["-e", $"RUNNER_LABELS={string.Join(',', registration.Labels)}"]);
        }

        if (registration.RunnerGroup is { } group)
        {
            arguments.AddRange(["-e", $"RUNNER_GROUP={group}"]);
        }

        if (registration.WorkFolder is { } work)
        {
            arguments.AddRange(["-e", $"RUNNER_WORKDIR={work}"]);
        }

        foreach (var (flag, on) in new[] { ("RUNNER_NO_DEFAULT_LABELS", registration.NoDefaultLabels), ("RUNNER_EPHEMERAL", registration.Ephemeral), ("RUNNER_DISABLE_UPDATE", registration.DisableUpdate) })
        {
            if (on)
            {
                arguments.AddRange(["-e", $"{flag}=true"]);
            }
        }

        arguments.AddRange(["-e", DockerCli.RunnerTokenVariable, settings.Image]);
        return arguments;
    }

    /// <summary>Polls the new container until its runner listens; fails at once when the container stops first.</summary>
    private async Task WaitUntilListeningAsync(RunnerContext runner, string container, RegistrationToken token, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var deadline = timeProvider.GetUtcNow() + settings.ListenTimeout;
        while (true)
        {
            var logs = await docker.RunAsync(["logs", "--tail", "200", container], settings.CommandTimeout, cancellationToken).ConfigureAwait(false);
            if (logs.Succeeded && (logs.Output + logs.Error).Contains(Listening, StringComparison.Ordinal))
            {
                return;
            }

            var state = await ContainerState.InspectAsync(docker, container, settings, cancellationToken).ConfigureAwait(false);
            if (state is { Running: false })
            {
                throw new RunnerReconfigurationException(
                    Masked($"Runner {runner.Name}: container {container} {state.Describe()} before its runner listened for jobs; it is left for 'docker logs {container}'. Its last lines: {LastLines(logs, 5)}", token),
                    RefreshFailureKind.Transient);
            }

            if (timeProvider.GetUtcNow() >= deadline)
            {
                throw new RunnerReconfigurationException(
                    Masked($"Runner {runner.Name}: container {container} printed no \"{Listening}\" within {settings.ListenTimeout.TotalSeconds:0} s (Container:ListenTimeout). Its last lines: {LastLines(logs, 5)}", token),
                    RefreshFailureKind.Transient);
            }

            await Task.Delay(PollInterval, timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private static void Ensure(RunnerContext runner, DockerResult result, RegistrationToken token, string step)
    {
        if (!result.Succeeded)
        {
            throw new RunnerReconfigurationException(Masked($"Runner {runner.Name}: could not {step}: {result.Describe()}", token), RefreshFailureKind.Transient);
        }
    }

    private static void RefuseRename(RunnerContext runner, RunnerRegistration registration)
    {
        if (registration.Renames)
        {
            throw new RunnerReconfigurationException($"Runner {runner.Name}: this sample does not rename or move runners", RefreshFailureKind.Permanent);
        }
    }

    private static string LastLines(DockerResult logs, int count) =>
        string.Join(" | ", (logs.Output + logs.Error).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(count));

    /// <summary>What a container or Docker prints could hold the token (an entrypoint that echoes it): never pass it on.</summary>
    private static string Masked(string text, RegistrationToken token) => text.Replace(token.Token, "***", StringComparison.Ordinal);

    [LoggerMessage(2, LogLevel.Information, "Runner {Runner}: replacing container {Container} with a fresh one of {Image}")]
    private static partial void Replacing(ILogger logger, string runner, string container, string image);

    [LoggerMessage(3, LogLevel.Information, "Runner {Runner}: container {Container} replaced; its runner is listening for jobs")]
    private static partial void Replaced(ILogger logger, string runner, string container);
}
