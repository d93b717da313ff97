using System.Diagnostics;
using System.Globalization;
using System.IO.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RunnerTokens.Systemd;

/// <summary>
/// Re-registers a runner under systemd exactly as the engine's <see cref="RunnerRegistration"/> describes it, by
/// running the steps of <see cref="ReconfigurationSequence"/> in order, each journaled before it starts. Any failure
/// or cancellation is repaired by the rule of the step it stopped at (<see cref="RegistrationRepair"/>).
/// </summary>
internal sealed class SystemdReconfigurer(
    IOptions<SystemdOptions> options,
    IFileSystem fileSystem,
    ReconfigurationSequence sequence,
    ReconfigurationJournal journal,
    RegistrationRepair repair,
    SystemdRefreshRecovery recovery,
    DiagLogReader logs,
    TimeProvider timeProvider,
    ILogger<SystemdReconfigurer> logger) : IRunnerReconfigurer
{
    private static readonly ActivitySource ActivitySource = new(RunnerTokenRefreshTelemetry.ActivitySourceName);

    public async Task ReconfigureAsync(RunnerContext runner, RunnerRegistration registration, RegistrationToken registrationToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(registration);
        ArgumentNullException.ThrowIfNull(registrationToken);
        var masker = new SecretMasker();
        masker.Add(registrationToken.Token);

        // A journal left by an earlier, interrupted refresh is finished first: never stack a backup on a half state.
        await recovery.RecoverAsync(runner, cancellationToken).ConfigureAwait(false);

        var run = CreateRun(runner, registration, masker, registrationToken.Token);
        if (run.Unit is { } found)
        {
            Log.UnitFound(logger, runner.Name, found, run.UnitOrigin);
        }
        else
        {
            Log.NotAService(logger, runner.Name, run.UnitOrigin);
        }

        Log.Registering(logger, runner.Name, registration.Name, registration.Url, string.Join("; ", registration.Origins));
        foreach (var warning in Warnings())
        {
            Log.Warning(logger, runner.Name, warning);
        }

        try
        {
            foreach (var step in sequence.Steps)
            {
                run.Journal.Step = step.Name;
                run.Journal.UpdatedAt = timeProvider.GetUtcNow();
                journal.Write(runner, run.Journal);
                Log.StepStarted(logger, runner.Name, step.Name, masker.Apply(step.Describe(run)));
                using var activity = StartStepActivity(runner, step.Name);
                try
                {
                    await step.RunAsync(run, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    // The step's own error text is masked as the log's is: no token reaches a span either.
                    activity?.SetStatus(ActivityStatusCode.Error, masker.Apply(ex.Message));
                    throw;
                }
            }

            journal.Delete(runner);
            Log.Reconfigured(logger, runner.Name, registration.Name, run.Unit is null ? " (not a service)" : $"; {run.Unit} is listening for jobs");
        }
        catch (Exception ex)
        {
            // Noted before the repair starts the unit: what the listener logs after this is the repaired unit's.
            var logsBeforeRepair = run.Unit is null ? null : logs.Snapshot(runner.Directory);
            var failedStep = run.Journal.Step;
            var rollback = await RollBackAsync(run).ConfigureAwait(false);
            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                Log.Cancelled(logger, runner.Name, failedStep, rollback.Outcome);
                throw;
            }

            var detail = ex is StepFailedException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
            if (rollback is { Repaired: true, KeptNewRegistration: true } && logsBeforeRepair is not null)
            {
                // The new registration is in place and the repair started the unit again: if the listener comes up now,
                // the refresh is done, and retrying it would only re-register a runner that works.
                run.LogsBeforeStart = logsBeforeRepair;
                try
                {
                    await sequence.Steps.Single(step => step is WaitUntilListeningStep).RunAsync(run, cancellationToken).ConfigureAwait(false);
                    Log.FixedByRepair(logger, runner.Name, failedStep, masker.Apply(detail), rollback.Outcome);
                    return;
                }
                catch (Exception again) when (!(again is OperationCanceledException && cancellationToken.IsCancellationRequested))
                {
                    detail += $"; and after the repair started {run.Unit} again: {(again is StepFailedException ? again.Message : again.GetType().Name + ": " + again.Message)}";
                }
            }

            var kind = ex is StepFailedException step ? step.Kind : RunnerRefreshException.KindOf(ex);
            throw new RunnerReconfigurationException(
                masker.Apply($"Runner {runner.Name}: re-registration failed at step '{failedStep}': {detail}. Repair: {rollback.Outcome}."),
                kind,
                ex);
        }
    }

    /// <summary>A child of the engine's refresh span for one step (<see cref="RunnerTokenRefreshTelemetry.StepActivity"/>), when anybody listens.</summary>
    private static Activity? StartStepActivity(RunnerContext runner, string step)
    {
        var activity = ActivitySource.StartActivity(RunnerTokenRefreshTelemetry.StepActivity);
        activity?.SetTag(RunnerTokenRefreshTelemetry.RunnerNameTag, runner.Name);
        activity?.SetTag(RunnerTokenRefreshTelemetry.StepTag, step);
        return activity;
    }

    public ValueTask<IReadOnlyList<string>> DescribePlanAsync(RunnerContext runner, RunnerRegistration registration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(registration);
        cancellationToken.ThrowIfCancellationRequested();
        var run = CreateRun(runner, registration, new SecretMasker(), registrationToken: null);
        var plan = new List<string>
        {
            $"register '{registration.Name}' at {registration.Url}{(registration.Id is { } id && !registration.Renames ? $" (id {id})" : string.Empty)} with the settings resolved as: {(registration.Origins.Count == 0 ? "(no origins given)" : string.Join("; ", registration.Origins))}",
        };
        plan.AddRange(sequence.Steps.Select(step => $"{step.Name}: {step.Describe(run)}"));
        plan.Add(
            $"on success: delete the journal and the backup. On a failure or cancellation: before 'configure', restore every backed-up file byte for byte; from 'configure' on, keep a complete new registration (else restore the old files); then put {string.Join(", ", RunnerFiles.ServiceEnvironment)} back, {RunnerFiles.Service} back, start the unit; the same after a crash, at the next check");
        plan.AddRange(Warnings().Select(w => "note: " + w));
        return ValueTask.FromResult<IReadOnlyList<string>>(plan);
    }

    private ReconfigurationRun CreateRun(RunnerContext runner, RunnerRegistration registration, SecretMasker masker, string? registrationToken)
    {
        var settings = options.Value;
        string? unit;
        string origin;
        try
        {
            (unit, origin) = ServiceUnit.Find(fileSystem, settings, runner);
        }
        catch (InvalidDataException ex)
        {
            throw new RunnerReconfigurationException($"Runner {runner.Name}: {ex.Message}. Nothing was stopped or changed; {ServiceUnit.Remedy(runner)}.", RefreshFailureKind.Permanent, ex);
        }

        var now = timeProvider.GetUtcNow();
        return new ReconfigurationRun
        {
            Runner = runner,
            Registration = registration,
            Masker = masker,
            RegistrationToken = registrationToken,
            UnitOrigin = origin,
            Previous = RunnerSettingsFile.Read(fileSystem, runner.Directory).Settings,
            Journal = new JournalEntry
            {
                Runner = runner.Name,
                Name = registration.Name,
                Unit = unit,
                UserUnit = settings.UserUnits,
                StartedAt = now,
                UpdatedAt = now,
            },
        };
    }

    private async Task<Rollback> RollBackAsync(ReconfigurationRun run)
    {
        // Not the refresh's token: a cancelled refresh (SIGTERM) must still leave the runner running. Only the limit stops it.
        using var limit = new CancellationTokenSource(options.Value.RollbackTimeout, timeProvider);
        var runner = run.Runner;
        try
        {
            var result = await repair.RepairAsync(runner, run.Journal, run.Masker, limit.Token).ConfigureAwait(false);
            Log.RolledBack(logger, runner.Name, run.Journal.Step, result.Outcome);
            return new(result.Outcome, Repaired: true, result.KeptNewRegistration);
        }
        catch (Exception ex)
        {
            var error = run.Masker.Apply(ex is OperationCanceledException && limit.IsCancellationRequested
                ? string.Create(CultureInfo.InvariantCulture, $"did not finish within Systemd:RollbackTimeout ({options.Value.RollbackTimeout.TotalSeconds:0.###} s)")
                : ex.Message);
            Log.RollbackFailed(logger, runner.Name, run.Journal.Step, error, journal.JournalPath(runner));
            return new($"the repair failed too ({error}); the journal {journal.JournalPath(runner)} is kept and the next check repairs the runner", Repaired: false, KeptNewRegistration: false);
        }
    }

    private IEnumerable<string> Warnings()
    {
        if (Environment.IsPrivilegedProcess)
        {
            yield return options.Value.AllowRunAsRoot
                ? $"running as root with {ConfigScript.AllowRunAsRootVariable}=1: the files config.sh writes belong to root, so the runner's unit must run as root too; better run the refresher as the runner's user"
                : $"running as root: config.sh refuses to run as root unless {ConfigScript.AllowRunAsRootVariable} is set (Systemd:AllowRunAsRoot); better run the refresher as the runner's user";
        }
    }

    /// <summary>What the rollback after a failure did: its outcome, whether all of it worked, whether it kept the new registration.</summary>
    private sealed record Rollback(string Outcome, bool Repaired, bool KeptNewRegistration);
}
