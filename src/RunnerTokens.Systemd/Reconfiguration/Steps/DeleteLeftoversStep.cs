using System.IO.Abstractions;
using Microsoft.Extensions.Logging;

namespace RunnerTokens.Systemd;

/// <summary>
/// Deletes any registration file the remove left: a runner version that does not know the <c>*_migrated</c> files
/// leaves them, and the listener prefers <c>.runner_migrated</c> to <c>.runner</c>, so a leftover would shadow the new
/// registration and the runner would loop on the old one. All are in the backup.
/// </summary>
internal sealed class DeleteLeftoversStep(IFileSystem fileSystem, ILogger<DeleteLeftoversStep> logger) : ReconfigurationStep
{
    public override string Name => "delete-leftovers";

    public override RepairRule Repair => RepairRule.RestoreOldRegistration;

    public override string Describe(ReconfigurationRun run) =>
        $"delete whatever of {string.Join(", ", RunnerFiles.Registration)} the remove left (the listener prefers the *_migrated files; all are in the backup)";

    public override Task RunAsync(ReconfigurationRun run, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var name in RunnerFiles.Registration)
        {
            var path = fileSystem.Path.Combine(run.Runner.Directory, name);
            if (fileSystem.File.Exists(path))
            {
                fileSystem.File.Delete(path);
                Log.LeftoverDeleted(logger, run.Runner.Name, name);
            }
        }

        return Task.CompletedTask;
    }
}
