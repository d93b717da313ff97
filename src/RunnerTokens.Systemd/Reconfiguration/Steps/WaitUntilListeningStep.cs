using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RunnerTokens.Systemd;

/// <summary>
/// Done means listening: a runner log new (or grown) since the start says "Listening for Jobs" within
/// <see cref="SystemdOptions.ListenTimeout"/>, and the unit is still active after it. A terminal line of the listener,
/// or the unit going inactive (systemd calls it active right after the fork, and inactive (dead) once the listener
/// gave up), fails at once; the message carries the listener's own last error.
/// </summary>
internal sealed class WaitUntilListeningStep(
    IOptions<SystemdOptions> options,
    UnitController units,
    DiagLogReader logs,
    TimeProvider timeProvider,
    WaitProgress progress,
    ILogger<WaitUntilListeningStep> logger) : ReconfigurationStep
{
    /// <summary>How often the logs and the unit are looked at while waiting.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public override string Name => "listen";

    public override RepairRule Repair => RepairRule.KeepCompleteNewRegistration;

    public override string Describe(ReconfigurationRun run)
    {
        var settings = options.Value;
        return run.Unit is { } unit
            ? $"wait up to {Seconds(settings.ListenTimeout)} (Systemd:ListenTimeout) for \"{DiagLogReader.ListeningMarker}\" in a _diag/{DiagLogReader.LogPattern} new or grown since the start, then `{SystemctlCommands.Build(settings, run.Journal.UserUnit, SystemctlCommands.IsActive, unit)}` must still say active; a terminal line of the listener or the unit going inactive fails at once"
            : "not a service: nothing to wait for";
    }

    public override async Task RunAsync(ReconfigurationRun run, CancellationToken cancellationToken)
    {
        if (run.Unit is not { } unit)
        {
            return;
        }

        var since = run.LogsBeforeStart ?? throw new InvalidOperationException("The start step notes the logs before this step runs.");
        var deadline = timeProvider.GetUtcNow() + options.Value.ListenTimeout;
        using var waiting = progress.Start($"\"{DiagLogReader.ListeningMarker}\" from {unit}", options.Value.ListenTimeout);
        while (true)
        {
            var progress = logs.ReadSince(run.Runner.Directory, since);
            if (progress.Terminal is { } terminal)
            {
                throw new StepFailedException($"the listener gave up ({string.Join(", ", progress.Logs)}): {run.Masker.Apply(terminal)}");
            }

            // Read after the log: the unit must still be active once the listener said it listens.
            var state = await units.StateAsync(unit, run.Journal.UserUnit, run.Masker, cancellationToken).ConfigureAwait(false);
            if (progress.Listening)
            {
                if (state == "active")
                {
                    Log.Listening(logger, run.Runner.Name, unit, string.Join(", ", progress.Logs));
                    return;
                }

                throw new StepFailedException($"the listener logged \"{DiagLogReader.ListeningMarker}\", but {unit} is {state} now{LastError(run, progress, unit)}");
            }

            if (!SystemctlCommands.IsRunning(state))
            {
                throw new StepFailedException($"{unit} is {state}: the listener exited before it listened for jobs{LastError(run, progress, unit)}");
            }

            if (timeProvider.GetUtcNow() >= deadline)
            {
                var read = progress.Logs.Count == 0 ? "no new runner log appeared in _diag" : $"read {string.Join(", ", progress.Logs)}";
                throw new StepFailedException(
                    $"the listener did not log \"{DiagLogReader.ListeningMarker}\" within {Seconds(options.Value.ListenTimeout)} of the start (Systemd:ListenTimeout; {read}){LastError(run, progress, unit)}");
            }

            await Task.Delay(PollInterval, timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string LastError(ReconfigurationRun run, ListenerProgress progress, string unit) =>
        progress.LastError is { } line
            ? $"; the listener's last error: {run.Masker.Apply(line)}"
            : $"; the listener logged no error (see `journalctl -u {unit}`)";
}
