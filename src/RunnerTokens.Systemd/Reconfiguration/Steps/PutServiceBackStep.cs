using System.IO.Abstractions;

namespace RunnerTokens.Systemd;

/// <summary>Puts <c>.service</c> back, so <c>svc.sh</c> and the next re-registration find the unit.</summary>
internal sealed class PutServiceBackStep(IFileSystem fileSystem, RegistrationBackup backup) : ReconfigurationStep
{
    public override string Name => "service-back";

    public override RepairRule Repair => RepairRule.KeepCompleteNewRegistration;

    public override string Describe(ReconfigurationRun run) =>
        fileSystem.File.Exists(fileSystem.Path.Combine(run.Runner.Directory, RunnerFiles.Service))
        || fileSystem.File.Exists(fileSystem.Path.Combine(run.Runner.Directory, RunnerFiles.ServiceAside))
            ? $"move {RunnerFiles.ServiceAside} back to {RunnerFiles.Service}"
            : $"no {RunnerFiles.Service} to put back";

    public override Task RunAsync(ReconfigurationRun run, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        backup.PutServiceBack(run.Runner, run.Journal.Files);
        return Task.CompletedTask;
    }
}
