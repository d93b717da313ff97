namespace RunnerTokens.Systemd;

/// <summary>
/// Puts <c>.path</c>, <c>.env</c> and <c>svc.sh</c> back byte for byte: every config.sh run sources env.sh, which
/// rewrites <c>.path</c> with the refresher's <c>PATH</c> and appends to <c>.env</c>, and configure regenerates
/// <c>svc.sh</c>. Without this, each refresh would give the runner's jobs the refresher's environment.
/// </summary>
internal sealed class RestoreServiceEnvironmentStep(RegistrationBackup backup) : ReconfigurationStep
{
    public override string Name => "restore-environment";

    public override RepairRule Repair => RepairRule.KeepCompleteNewRegistration;

    public override string Describe(ReconfigurationRun run) =>
        $"put {string.Join(", ", RunnerFiles.ServiceEnvironment)} back byte for byte from the backup (config.sh rewrote .path and .env and regenerated svc.sh); one that did not exist is deleted again";

    public override Task RunAsync(ReconfigurationRun run, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        backup.RestoreServiceEnvironment(run.Runner, run.Journal.Files);
        return Task.CompletedTask;
    }
}
