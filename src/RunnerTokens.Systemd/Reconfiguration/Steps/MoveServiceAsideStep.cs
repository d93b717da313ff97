using System.IO.Abstractions;

namespace RunnerTokens.Systemd;

/// <summary>Moves <c>.service</c> aside: <c>config.sh remove</c> refuses while it exists ("Uninstall service first").</summary>
internal sealed class MoveServiceAsideStep(IFileSystem fileSystem, RegistrationBackup backup) : ReconfigurationStep
{
    public override string Name => "service-aside";

    public override RepairRule Repair => RepairRule.RestoreOldRegistration;

    public override string Describe(ReconfigurationRun run) =>
        fileSystem.File.Exists(fileSystem.Path.Combine(run.Runner.Directory, RunnerFiles.Service))
            ? $"move {RunnerFiles.Service} aside to {RunnerFiles.ServiceAside} (config.sh remove refuses while it exists; the unit itself stays installed)"
            : $"no {RunnerFiles.Service} to move aside";

    public override Task RunAsync(ReconfigurationRun run, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        backup.MoveServiceAside(run.Runner);
        return Task.CompletedTask;
    }
}
