using System.IO.Abstractions;

namespace RunnerTokens.Systemd;

/// <summary>Copies the registration files, <c>.service</c>, <c>.path</c>, <c>.env</c> and <c>svc.sh</c> into the state folder.</summary>
internal sealed class BackupStep(IFileSystem fileSystem, RegistrationBackup backup, ReconfigurationJournal journal) : ReconfigurationStep
{
    public override string Name => "backup";

    public override RepairRule Repair => RepairRule.NothingChanged;

    public override string Describe(ReconfigurationRun run)
    {
        var existing = RunnerFiles.BackedUp.Where(name => fileSystem.File.Exists(fileSystem.Path.Combine(run.Runner.Directory, name))).ToList();
        return $"back up {(existing.Count == 0 ? "(none of the runner's files exist)" : string.Join(", ", existing))} from {run.Runner.Directory} into {journal.BackupPath(run.Runner)}, each with its SHA-256, mode and time, and the files that do not exist, in {journal.JournalPath(run.Runner)} (owner-only, atomic writes)";
    }

    public override Task RunAsync(ReconfigurationRun run, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        run.Journal.Files = backup.Save(run.Runner);
        return Task.CompletedTask;
    }
}
