using Microsoft.Extensions.Options;

namespace ContainerRunner;

/// <summary>
/// Tells the engine whether a runner's registration is usable by its container's state, in place of the runner-files
/// source (the registration files are inside the container): no container, or one whose runner stopped (the listener
/// exits when GitHub deleted its registration, and the container with it), is invalid now; a running one is valid.
/// </summary>
internal sealed class ContainerExpirySource(DockerCli docker, IOptions<ContainerOptions> options) : IExpirySource
{
    public const string SourceName = "container";

    public async ValueTask<ExpiryObservation> ObserveAsync(RunnerContext runner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var settings = options.Value;
        var container = settings.ContainerFor(runner);
        var state = await ContainerState.InspectAsync(docker, container, settings, cancellationToken).ConfigureAwait(false);
        return state switch
        {
            null => ExpiryObservation.Invalid(SourceName, $"no container {container}"),
            { Running: true } => ExpiryObservation.ValidNoExpiry(SourceName),
            { Stopped: true } => ExpiryObservation.Invalid(SourceName, $"container {container} {state.Describe()}: its runner stopped"),
            _ => ExpiryObservation.Unknown(SourceName, $"container {container} {state.Describe()}"),
        };
    }
}
