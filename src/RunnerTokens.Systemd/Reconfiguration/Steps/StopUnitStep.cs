using Microsoft.Extensions.Options;

namespace RunnerTokens.Systemd;

/// <summary>Stops the runner's unit and waits until it is inactive (the engine checked right before that the runner is idle).</summary>
internal sealed class StopUnitStep(IOptions<SystemdOptions> options, UnitController units) : ReconfigurationStep
{
    public override string Name => "stop";

    public override RepairRule Repair => RepairRule.RestoreOldRegistration;

    public override string Describe(ReconfigurationRun run)
    {
        var settings = options.Value;
        return run.Unit is { } unit
            ? $"{SystemctlCommands.Build(settings, run.Journal.UserUnit, SystemctlCommands.Stop, unit)}   (unit from {run.UnitOrigin}), then `{SystemctlCommands.Build(settings, run.Journal.UserUnit, SystemctlCommands.IsActive, unit)}` until inactive, for up to {Seconds(settings.StopTimeout)}"
            : $"not a service ({run.UnitOrigin}): no unit is stopped";
    }

    public override Task RunAsync(ReconfigurationRun run, CancellationToken cancellationToken) =>
        run.Unit is { } unit
            ? units.StopAsync(unit, run.Journal.UserUnit, run.Masker, cancellationToken)
            : Task.CompletedTask;
}
