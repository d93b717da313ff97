using Microsoft.Extensions.Options;

namespace RunnerTokens.Systemd;

/// <summary>
/// <c>config.sh --unattended ... --replace</c> under the same name with every kept setting, judged by its result:
/// exit code 0 and a complete registration (a readable <c>.runner</c> naming the runner, <c>.credentials</c>, the key).
/// </summary>
internal sealed class ConfigureStep(IOptions<SystemdOptions> options, CommandRunner commands, RegistrationBackup backup) : ReconfigurationStep
{
    public override string Name => "configure";

    public override RepairRule Repair => RepairRule.KeepCompleteNewRegistration;

    public override string Describe(ReconfigurationRun run)
    {
        var registration = run.RequiredRegistration;
        var id = registration.Renames
            ? "a new runner, with a new id"
            : registration.Id is { } known ? $"--replace keeps the runner's id {known}" : "--replace keeps the runner's id";
        return $"{ConfigScript.Configure(run.Runner.Directory, options.Value, registration, registrationToken: null)}   (a fresh registration token; {id}; done when {RunnerFiles.Runner} names '{registration.Name}' beside {RunnerFiles.Credentials} and {RunnerFiles.RsaParams})";
    }

    public override async Task RunAsync(ReconfigurationRun run, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var registration = run.RequiredRegistration;
        var token = run.RegistrationToken ?? throw new InvalidOperationException("A plan has no registration token.");
        var outcome = await commands.RunAsync(
            ConfigScript.Configure(run.Runner.Directory, settings, registration, token), settings.ConfigTimeout, run.Masker, cancellationToken).ConfigureAwait(false);
        if (!outcome.Succeeded)
        {
            throw new StepFailedException(outcome, ConfigScript.RootHint(outcome, settings));
        }

        if (backup.IncompleteRegistration(run.Runner, registration.Name) is { } problem)
        {
            throw new StepFailedException($"{outcome.Describe()}, but left no complete registration: {problem}");
        }
    }
}
