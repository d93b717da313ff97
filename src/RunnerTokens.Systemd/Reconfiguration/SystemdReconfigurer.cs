using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RunnerTokens.Systemd;

/// <summary>
/// Re-registers a runner under systemd: ask the label sources for the runner's custom labels (unless its options list
/// them) while GitHub still lists it, back up and journal, stop the unit, <c>config.sh remove</c> (with
/// <c>.service</c> aside), <c>config.sh --replace</c>, start the unit. Any failure or cancellation rolls back.
/// </summary>
internal sealed class SystemdReconfigurer(
    IOptions<SystemdOptions> options,
    IFileSystem fileSystem,
    CommandRunner commands,
    UnitController units,
    ReconfigurationJournal journal,
    RegistrationBackup backup,
    RegistrationRepair repair,
    SystemdRefreshRecovery recovery,
    DiagLogReader diagLog,
    TimeProvider timeProvider,
    ILogger<SystemdReconfigurer> logger,
    IEnumerable<IRunnerLabelSource> labelSources,
    ITokenIssuer? tokenIssuer = null) : IRunnerReconfigurer
{
    // The last labels a source gave for each runner (by directory). A retry after a failed configure step finds the
    // runner removed from GitHub, so no source knows its labels any more; this keeps them for that retry.
    private readonly ConcurrentDictionary<string, LabelChoice> _knownLabels = new(StringComparer.Ordinal);

    public async Task ReconfigureAsync(RunnerContext runner, RegistrationToken registrationToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(registrationToken);
        var settings = options.Value;
        var masker = new SecretMasker();
        masker.Add(registrationToken.Token);

        // A journal left by an earlier, interrupted refresh is finished first: never stack a backup on a half state.
        await recovery.RecoverAsync(runner, cancellationToken).ConfigureAwait(false);

        var (unit, origin) = ServiceUnit.Find(fileSystem, settings, runner);
        if (unit is null)
        {
            Log.NotAService(logger, runner.Name, origin);
        }
        else
        {
            Log.UnitFound(logger, runner.Name, unit, origin);
        }

        var previous = RunnerRegistration.Read(fileSystem, runner.Directory);

        // Before anything is removed: once removed, GitHub no longer lists the runner, nor its labels.
        var labels = await ChooseLabelsAsync(runner, masker, cancellationToken).ConfigureAwait(false);
        WarnAboutSettings(runner, previous, labels);
        var now = timeProvider.GetUtcNow();
        var entry = new JournalEntry { Runner = runner.Name, Unit = unit, UserUnit = settings.UserUnits, StartedAt = now, UpdatedAt = now };
        try
        {
            Advance(runner, entry, ReconfigurationStep.Backup);
            entry.Files = backup.Save(runner);

            Advance(runner, entry, ReconfigurationStep.Stop);
            if (unit is not null)
            {
                await units.StopAsync(unit, entry.UserUnit, masker, cancellationToken).ConfigureAwait(false);
            }

            Advance(runner, entry, ReconfigurationStep.Remove);
            backup.MoveServiceAside(runner);
            await RemoveAsync(runner, previous, masker, cancellationToken).ConfigureAwait(false);
            DeleteLeftovers(runner);
            backup.PutServiceBack(runner, entry.Files);

            Advance(runner, entry, ReconfigurationStep.Configure);
            var configure = await commands.RunAsync(
                ConfigScript.Configure(runner, settings, previous, labels.Labels, registrationToken.Token), settings.ConfigTimeout, masker, cancellationToken).ConfigureAwait(false);
            if (!configure.Succeeded)
            {
                throw new StepFailedException(configure.Describe() + RootHint(configure));
            }

            Advance(runner, entry, ReconfigurationStep.Start);
            if (unit is not null)
            {
                await units.StartAsync(unit, entry.UserUnit, masker, cancellationToken).ConfigureAwait(false);
            }

            journal.Delete(runner);
            Log.Reconfigured(logger, runner.Name, unit is null ? " (not a service)" : $"; {unit} is running");
        }
        catch (Exception ex)
        {
            var rollback = await RollBackAsync(runner, entry, masker).ConfigureAwait(false);
            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                Log.Cancelled(logger, runner.Name, entry.Step, rollback);
                throw;
            }

            var detail = ex is StepFailedException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
            throw new RunnerReconfigurationException(
                masker.Apply($"Runner {runner.Name}: re-registration failed at step '{StepName(entry.Step)}': {detail}. Rollback: {rollback}."),
                ex);
        }
    }

    public async ValueTask<IReadOnlyList<string>> DescribePlanAsync(RunnerContext runner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        cancellationToken.ThrowIfCancellationRequested();
        var settings = options.Value;
        var (unit, origin) = ServiceUnit.Find(fileSystem, settings, runner);
        var previous = RunnerRegistration.Read(fileSystem, runner.Directory);
        var existing = RunnerFiles.BackedUp.Where(name => fileSystem.File.Exists(fileSystem.Path.Combine(runner.Directory, name))).ToList();
        var labels = await ChooseLabelsAsync(runner, new SecretMasker(), cancellationToken).ConfigureAwait(false);
        var plan = new List<string>();
        if (runner.Labels.Count == 0 && labels.Known)
        {
            plan.Add($"ask the label sources for the runner's custom labels before it is removed: {labels.Note(runner)}");
        }

        plan.Add(
            $"back up {(existing.Count == 0 ? "(no registration files found)" : string.Join(", ", existing))} from {runner.Directory} into {journal.BackupPath(runner)} and record each step in {journal.JournalPath(runner)} (owner-only, atomic writes)");

        if (unit is null)
        {
            plan.Add($"not a service ({origin}): no unit is stopped or started");
        }
        else
        {
            plan.Add($"{SystemctlCommands.Build(settings, settings.UserUnits, SystemctlCommands.Stop, unit)}   (unit from {origin}), then `{SystemctlCommands.Build(settings, settings.UserUnits, SystemctlCommands.IsActive, unit)}` until inactive, for up to {Seconds(settings.StopTimeout)}");
        }

        var hasService = fileSystem.File.Exists(fileSystem.Path.Combine(runner.Directory, RunnerFiles.Service));
        if (hasService)
        {
            plan.Add($"move {RunnerFiles.Service} aside to {RunnerFiles.ServiceAside} (config.sh remove refuses while it exists)");
        }

        var local = LocalRemoveReason(runner, previous);
        plan.Add(local is null
            ? $"{ConfigScript.Remove(runner, settings, local: false, removeToken: null)}   (remove token from the token issuer; `config.sh remove --local` if that fails)"
            : $"{ConfigScript.Remove(runner, settings, local: true, removeToken: null)}   ({local})");
        if (hasService)
        {
            plan.Add($"move {RunnerFiles.ServiceAside} back to {RunnerFiles.Service}");
        }

        plan.Add($"{ConfigScript.Configure(runner, settings, previous, labels.Labels, registrationToken: null)}   (a fresh registration token)");
        if (unit is not null)
        {
            plan.Add($"{SystemctlCommands.Build(settings, settings.UserUnits, SystemctlCommands.Start, unit)}, then `{SystemctlCommands.Build(settings, settings.UserUnits, SystemctlCommands.IsActive, unit)}` must say active");
        }

        plan.Add("on success: delete the backup and the journal; on any failure: restore the files byte for byte, put .service back, start the unit, report the step");
        plan.AddRange(Warnings(runner, previous, labels).Select(w => "note: " + w));
        return plan;
    }

    /// <summary>
    /// The runner's configured labels; else the first answer of a label source, in registration order; else the last
    /// answer this process had for the runner. A source that fails is passed over with a warning: the refresh goes on,
    /// without <c>--labels</c> if nobody knows.
    /// </summary>
    private async Task<LabelChoice> ChooseLabelsAsync(RunnerContext runner, SecretMasker masker, CancellationToken cancellationToken)
    {
        if (runner.Labels.Count > 0)
        {
            return new LabelChoice(runner.Labels, "the runner's options", []);
        }

        var failures = new List<string>();
        foreach (var source in labelSources)
        {
            var name = source.GetType().Name;
            try
            {
                if (await source.GetCustomLabelsAsync(runner, cancellationToken).ConfigureAwait(false) is { } labels)
                {
                    var answer = new LabelChoice([.. labels.Where(l => !string.IsNullOrWhiteSpace(l)).Distinct(StringComparer.OrdinalIgnoreCase)], name, failures);
                    _knownLabels[runner.Directory] = answer with { Failures = [] };
                    return answer;
                }
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                failures.Add(masker.Apply($"{name} failed: {ex.Message}"));
            }
        }

        return _knownLabels.TryGetValue(runner.Directory, out var known)
            ? known with { Origin = $"{known.Origin} (remembered from an earlier attempt; no source knows the runner now)", Failures = failures }
            : new LabelChoice([], null, failures);
    }

    private async Task RemoveAsync(RunnerContext runner, RunnerRegistration previous, SecretMasker masker, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var local = LocalRemoveReason(runner, previous);
        if (local is null)
        {
            string? failure;
            try
            {
                var removeToken = await tokenIssuer!.CreateRemoveTokenAsync(runner.Scope, cancellationToken).ConfigureAwait(false);
                masker.Add(removeToken.Token);
                var remove = await commands.RunAsync(
                    ConfigScript.Remove(runner, settings, local: false, removeToken.Token), settings.ConfigTimeout, masker, cancellationToken).ConfigureAwait(false);
                if (remove.Succeeded)
                {
                    return;
                }

                failure = remove.Describe();
                if (IsRootRefusal(remove))
                {
                    // --local would be refused the same way.
                    throw new StepFailedException(failure + RootHint(remove));
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not StepFailedException)
            {
                failure = $"no remove token: {ex.Message}";
            }

            Log.RemoveFellBackToLocal(logger, runner.Name, masker.Apply(failure));
        }
        else
        {
            Log.RemovingLocally(logger, runner.Name, local);
        }

        var removeLocal = await commands.RunAsync(
            ConfigScript.Remove(runner, settings, local: true, removeToken: null), settings.ConfigTimeout, masker, cancellationToken).ConfigureAwait(false);
        if (!removeLocal.Succeeded)
        {
            throw new StepFailedException(removeLocal.Describe() + RootHint(removeLocal));
        }
    }

    /// <summary>
    /// Deletes registration files config.sh remove left (a runner version that does not know the <c>*_migrated</c>
    /// files): the listener prefers <c>.runner_migrated</c> to <c>.runner</c>, so a leftover would shadow the new
    /// registration and the runner would loop on the old one. They are in the backup.
    /// </summary>
    private void DeleteLeftovers(RunnerContext runner)
    {
        foreach (var name in RunnerFiles.Registration)
        {
            var path = fileSystem.Path.Combine(runner.Directory, name);
            if (fileSystem.File.Exists(path))
            {
                fileSystem.File.Delete(path);
                Log.LeftoverDeleted(logger, runner.Name, name);
            }
        }
    }

    /// <summary>Why the server need not (or cannot) be asked to remove the runner; null when it should be.</summary>
    private string? LocalRemoveReason(RunnerContext runner, RunnerRegistration previous)
    {
        if (!previous.Exists || !fileSystem.File.Exists(fileSystem.Path.Combine(runner.Directory, RunnerFiles.Credentials)))
        {
            return "the runner is not configured here: nothing to remove on the server";
        }

        try
        {
            var verdict = diagLog.Read(runner.Directory);
            if (verdict.Deleted)
            {
                return $"the registration is already gone from the server ({verdict.Explanation})";
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // An unreadable log tells nothing: ask the server, as for a healthy one.
        }

        return tokenIssuer is null
            ? "no ITokenIssuer is registered to issue a remove token; --replace replaces the runner on the server"
            : null;
    }

    private async Task<string> RollBackAsync(RunnerContext runner, JournalEntry entry, SecretMasker masker)
    {
        // Not the refresh's token: a cancelled refresh (SIGTERM) must still leave the runner running. Only the limit stops it.
        using var limit = new CancellationTokenSource(options.Value.RollbackTimeout, timeProvider);
        try
        {
            var outcome = await repair.RepairAsync(runner, entry, afterCrash: false, masker, limit.Token).ConfigureAwait(false);
            Log.RolledBack(logger, runner.Name, entry.Step, outcome);
            return outcome;
        }
        catch (Exception ex)
        {
            var error = masker.Apply(ex is OperationCanceledException && limit.IsCancellationRequested
                ? $"did not finish within Systemd:RollbackTimeout ({Seconds(options.Value.RollbackTimeout)})"
                : ex.Message);
            Log.RollbackFailed(logger, runner.Name, entry.Step, error, journal.JournalPath(runner));
            return $"the rollback failed too ({error}); the journal {journal.JournalPath(runner)} is kept and the next check repairs the runner";
        }
    }

    private void Advance(RunnerContext runner, JournalEntry entry, ReconfigurationStep step)
    {
        entry.Step = step;
        entry.UpdatedAt = timeProvider.GetUtcNow();
        journal.Write(runner, entry);
        Log.StepStarted(logger, runner.Name, step);
    }

    private void WarnAboutSettings(RunnerContext runner, RunnerRegistration previous, LabelChoice labels)
    {
        if (labels.Known && labels.Note(runner) is { } kept)
        {
            Log.LabelsChosen(logger, runner.Name, kept);
        }

        foreach (var warning in Warnings(runner, previous, labels))
        {
            Log.Warning(logger, runner.Name, warning);
        }
    }

    private IEnumerable<string> Warnings(RunnerContext runner, RunnerRegistration previous, LabelChoice labels)
    {
        if (!labels.Known && labels.Note(runner) is { } unknown)
        {
            yield return unknown;
        }
        else if (labels.Failures.Count > 0)
        {
            yield return $"a label source failed ({string.Join("; ", labels.Failures)}); {labels.Note(runner)}";
        }

        if (previous.Ephemeral && !runner.Ephemeral)
        {
            yield return $"{RunnerFiles.Runner} says ephemeral, the options do not: the runner is registered as not ephemeral";
        }

        if (previous.DisableUpdate && !runner.DisableUpdate)
        {
            yield return $"{RunnerFiles.Runner} says disableUpdate, the options do not: the runner is registered with updates on";
        }

        if (Environment.IsPrivilegedProcess)
        {
            yield return options.Value.AllowRunAsRoot
                ? $"running as root with {ConfigScript.AllowRunAsRootVariable}=1: the files config.sh writes belong to root, so the runner's unit must run as root too; better run the refresher as the runner's user"
                : $"running as root: config.sh refuses to run as root unless {ConfigScript.AllowRunAsRootVariable}=1 (Systemd:AllowRunAsRoot); better run the refresher as the runner's user";
        }
    }

    private static bool IsRootRefusal(CommandOutcome outcome) =>
        outcome.Output.Contains("Must not run with sudo", StringComparison.OrdinalIgnoreCase);

    private string RootHint(CommandOutcome outcome) =>
        IsRootRefusal(outcome) || (Environment.IsPrivilegedProcess && !options.Value.AllowRunAsRoot)
            ? $" (config.sh runs as root here: it refuses unless {ConfigScript.AllowRunAsRootVariable}=1; set Systemd:AllowRunAsRoot=true, or run the refresher as the runner's user)"
            : string.Empty;

    internal static string StepName(ReconfigurationStep step) => step switch
    {
        ReconfigurationStep.Backup => "backup",
        ReconfigurationStep.Stop => "stop",
        ReconfigurationStep.Remove => "remove",
        ReconfigurationStep.Configure => "configure",
        _ => "start",
    };

    private static string Seconds(TimeSpan time) => string.Create(CultureInfo.InvariantCulture, $"{time.TotalSeconds:0.###} s");
}
