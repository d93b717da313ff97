using System.IO.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RunnerTokens.Systemd;

/// <summary>
/// The one definition of a re-registration: an ordered list of steps. The reconfigurer runs it, the dry run describes
/// it, the journal records its step names, and the repair (after a failure, a cancellation or a crash) asks the step
/// it stopped at what to do.
/// </summary>
internal sealed class ReconfigurationSequence
{
    public ReconfigurationSequence(
        IOptions<SystemdOptions> options,
        IFileSystem fileSystem,
        CommandRunner commands,
        UnitController units,
        ReconfigurationJournal journal,
        RegistrationBackup backup,
        DiagLogReader logs,
        TimeProvider timeProvider,
        WaitProgress progress,
        ILoggerFactory loggerFactory,
        ITokenIssuer? tokenIssuer = null)
    {
        Steps =
        [
            new BackupStep(fileSystem, backup, journal),
            new StopUnitStep(options, units),
            new MoveServiceAsideStep(fileSystem, backup),
            new RemoveRegistrationStep(options, commands, tokenIssuer),
            new DeleteLeftoversStep(fileSystem, loggerFactory.CreateLogger<DeleteLeftoversStep>()),
            new ConfigureStep(options, commands, backup),
            new RestoreServiceEnvironmentStep(backup),
            new PutServiceBackStep(fileSystem, backup),
            new StartUnitStep(options, units, logs),
            new WaitUntilListeningStep(options, units, logs, timeProvider, progress, loggerFactory.CreateLogger<WaitUntilListeningStep>()),
        ];
    }

    public IReadOnlyList<ReconfigurationStep> Steps { get; }

    /// <summary>The step a journal names; case does not matter (version 1 wrote <c>Configure</c>).</summary>
    public ReconfigurationStep? Find(string name) =>
        Steps.FirstOrDefault(step => string.Equals(step.Name, name, StringComparison.OrdinalIgnoreCase));
}
