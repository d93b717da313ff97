using System.Globalization;
using Microsoft.Extensions.Options;

namespace RunnerTokens.Systemd;

/// <summary>
/// Stops a unit and waits until it is inactive, starts one and checks it is active (systemd says so right after the
/// fork: whether the listener came up is for <see cref="WaitUntilListeningStep"/>), all within time limits.
/// </summary>
internal sealed class UnitController(IOptions<SystemdOptions> options, CommandRunner runner, WaitProgress progress, TimeProvider timeProvider)
{
    /// <summary>How often <c>systemctl is-active</c> is asked while waiting.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    public async Task StopAsync(string unit, bool userUnit, SecretMasker masker, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var deadline = timeProvider.GetUtcNow() + settings.StopTimeout;
        var started = timeProvider.GetTimestamp();
        var command = SystemctlCommands.Build(settings, userUnit, SystemctlCommands.Stop, unit);
        var stop = await runner.RunAsync(command, settings.StopTimeout, masker, cancellationToken).ConfigureAwait(false);
        if (!stop.Succeeded)
        {
            throw new StepFailedException(stop);
        }

        // systemctl stop may return while the unit is still deactivating (a job finishing): the wait goes on, and so do
        // its "still waiting" lines, counted from the stop.
        using var waiting = progress.Start(command.Summary, settings.StopTimeout, started);

        while (true)
        {
            var state = await StateAsync(unit, userUnit, masker, cancellationToken).ConfigureAwait(false);
            if (!SystemctlCommands.IsRunning(state))
            {
                return;
            }

            if (timeProvider.GetUtcNow() >= deadline)
            {
                throw new StepFailedException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{unit} is still {state} {settings.StopTimeout.TotalSeconds:0.###} s after `systemctl stop` (Systemd:StopTimeout)"));
            }

            await Task.Delay(PollInterval, timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task StartAsync(string unit, bool userUnit, SecretMasker masker, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var deadline = timeProvider.GetUtcNow() + settings.SystemctlTimeout;
        var start = await runner.RunAsync(SystemctlCommands.Build(settings, userUnit, SystemctlCommands.Start, unit), settings.SystemctlTimeout, masker, cancellationToken).ConfigureAwait(false);
        if (!start.Succeeded)
        {
            throw new StepFailedException(start);
        }

        while (true)
        {
            var state = await StateAsync(unit, userUnit, masker, cancellationToken).ConfigureAwait(false);
            if (state == "active")
            {
                return;
            }

            if (state != "activating" && state != "reloading" || timeProvider.GetUtcNow() >= deadline)
            {
                throw new StepFailedException($"`systemctl start {unit}` succeeded, but the unit is {state}; see `journalctl -u {unit}`");
            }

            await Task.Delay(PollInterval, timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>What <c>systemctl is-active</c> prints for the unit; throws when it prints no state (it failed).</summary>
    public async Task<string> StateAsync(string unit, bool userUnit, SecretMasker masker, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var outcome = await runner.RunAsync(SystemctlCommands.Build(settings, userUnit, SystemctlCommands.IsActive, unit), settings.SystemctlTimeout, masker, cancellationToken).ConfigureAwait(false);

        // is-active exits 3 for an inactive unit: the printed state is the answer, the exit code is not.
        return outcome.TimedOutAfter is null && outcome.StartError is null && SystemctlCommands.ParseState(outcome.Output) is { } state
            ? state
            : throw new StepFailedException(outcome);
    }
}
