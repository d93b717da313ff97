using Microsoft.Extensions.Options;

namespace RunnerTokens.Systemd;

/// <summary>Notes the runner's logs, then starts the unit and checks systemd calls it active (it does right after the fork).</summary>
internal sealed class StartUnitStep(IOptions<SystemdOptions> options, UnitController units, DiagLogReader logs) : ReconfigurationStep
{
    public override string Name => "start";

    public override RepairRule Repair => RepairRule.KeepCompleteNewRegistration;

    public override string Describe(ReconfigurationRun run)
    {
        var settings = options.Value;
        return run.Unit is { } unit
            ? $"note the names and lengths of _diag/{DiagLogReader.LogPattern}, then {SystemctlCommands.Build(settings, run.Journal.UserUnit, SystemctlCommands.Start, unit)}, then `{SystemctlCommands.Build(settings, run.Journal.UserUnit, SystemctlCommands.IsActive, unit)}` must say active"
            : "not a service: no unit is started (start the runner yourself)";
    }

    public override Task RunAsync(ReconfigurationRun run, CancellationToken cancellationToken)
    {
        if (run.Unit is not { } unit)
        {
            return Task.CompletedTask;
        }

        // Right before the start, not a time: what is new or grown after this is the new listener's (every config.sh
        // run above wrote a Runner_*.log of its own), whatever the clocks say.
        run.LogsBeforeStart = logs.Snapshot(run.Runner.Directory);
        return units.StartAsync(unit, run.Journal.UserUnit, run.Masker, cancellationToken);
    }
}
