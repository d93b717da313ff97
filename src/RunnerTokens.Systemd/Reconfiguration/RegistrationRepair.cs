using Microsoft.Extensions.Logging;

namespace RunnerTokens.Systemd;

/// <summary>
/// Brings a runner from any journaled step to a consistent state, by the rule of the step it stopped at: before the
/// configure step, the old registration restored byte for byte; from it on, a complete new registration kept (else the
/// old one restored); then <c>.path</c>, <c>.env</c> and <c>svc.sh</c> as they were, <c>.service</c> in place and the
/// unit started. One rule for a reported failure, a cancellation and a crash. Safe to repeat; the journal is dropped
/// only when everything worked.
/// </summary>
internal sealed class RegistrationRepair(
    ReconfigurationSequence sequence,
    ReconfigurationJournal journal,
    RegistrationBackup backup,
    UnitController units,
    ILogger<RegistrationRepair> logger)
{
    /// <returns>What was done, for the logs and the error message, and whether the new registration was kept.</returns>
    /// <exception cref="IOException">A part of the repair failed (the message says what was done and what failed); the journal stays.</exception>
    public async Task<RepairResult> RepairAsync(RunnerContext runner, JournalEntry entry, SecretMasker masker, CancellationToken cancellationToken)
    {
        var step = sequence.Find(entry.Step) ?? throw new InvalidDataException(
            $"The re-registration journal {journal.JournalPath(runner)} names the step '{entry.Step}', which this version does not know ({string.Join(", ", sequence.Steps.Select(s => s.Name))}); repair the runner by hand from {journal.BackupPath(runner)}, then delete the journal.");
        if (step.Repair == RepairRule.NothingChanged)
        {
            journal.Delete(runner);
            return new("nothing had changed yet; the runner was left as it was", KeptNewRegistration: false);
        }

        // Each part is tried whatever happened to the one before: a file that cannot be put back must never leave the
        // unit stopped. Whatever failed is reported together at the end, and the journal stays for the next check.
        var failures = new List<string>();
        string outcome;
        var incomplete = backup.IncompleteRegistration(runner, entry.Name);
        var keptNew = false;

        // A backup folder that is gone (a temp cleaner, an operator) is no reason to fail while the runner's own files
        // are complete: they are kept, and only what truly needs a copy fails.
        var backupGone = !backup.Exists(runner);
        if (backupGone)
        {
            Log.BackupMissing(logger, runner.Name, journal.BackupPath(runner), incomplete is null
                ? $"the runner's registration files are complete ({RunnerFiles.Runner} names '{entry.Name}', {RunnerFiles.Credentials}, {RunnerFiles.RsaParams}), so they are kept as they are"
                : $"the runner's registration is not complete ({incomplete}), and the old files cannot be restored");
        }

        if ((step.Repair == RepairRule.KeepCompleteNewRegistration || backupGone) && incomplete is null)
        {
            keptNew = step.Repair == RepairRule.KeepCompleteNewRegistration;
            outcome = step.Repair == RepairRule.KeepCompleteNewRegistration
                ? "the new registration is kept (config.sh had finished, and its --replace replaced the old one on GitHub: the old credentials are dead)"
                : $"the backup {journal.BackupPath(runner)} is missing, and the runner's registration files are complete, so they are kept as they are";
        }
        else
        {
            outcome = step.Repair == RepairRule.KeepCompleteNewRegistration
                ? $"there was no complete new registration ({incomplete}), so the old registration files were restored byte for byte"
                : "the old registration files were restored byte for byte";
            if (Try(() => backup.RestoreRegistration(runner, entry.Files), failures) is { } failed)
            {
                outcome = $"the old registration files could not all be restored ({failed})";
            }
        }

        var leftAsTheyAre = new List<string>();
        var environment = Try(() => backup.RestoreServiceEnvironment(runner, entry.Files, backupGone ? leftAsTheyAre : null), failures);
        var service = Try(() => backup.PutServiceBack(runner, entry.Files), failures);
        outcome += environment is null
            ? $"; {string.Join(", ", RunnerFiles.ServiceEnvironment)} are as they were"
            : $"; {string.Join(", ", RunnerFiles.ServiceEnvironment)} could not all be put back ({environment})";
        if (leftAsTheyAre.Count > 0)
        {
            outcome += $" (but {string.Join(", ", leftAsTheyAre)} stay as config.sh left them: their copies went with the backup)";
        }

        outcome += service is null ? $" and {RunnerFiles.Service} is in place" : $" and {RunnerFiles.Service} could not be put back ({service})";
        if (entry.Unit is { } unit)
        {
            // The unit recorded in the journal is the one that was stopped, whatever the options say now.
            try
            {
                await units.StartAsync(unit, entry.UserUnit, masker, cancellationToken).ConfigureAwait(false);
                outcome += $"; {unit} is started again";
            }
            catch (StepFailedException ex)
            {
                failures.Add(ex.Message);
                outcome += $"; {unit} could not be started again ({ex.Message})";
            }
        }
        else
        {
            outcome += " (not a service: no unit to start)";
        }

        if (failures.Count > 0)
        {
            throw new IOException(outcome);
        }

        journal.Delete(runner);
        return new(outcome, keptNew);
    }

    /// <returns>Null when <paramref name="action"/> worked; otherwise its error, also added to <paramref name="failures"/>.</returns>
    private static string? Try(Action action, List<string> failures)
    {
        try
        {
            action();
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            failures.Add(ex.Message);
            return ex.Message;
        }
    }
}

/// <summary>What a repair did.</summary>
/// <param name="Outcome">What was done, for the logs and the error message.</param>
/// <param name="KeptNewRegistration">Whether the complete registration config.sh had written was kept (from the configure step on).</param>
internal sealed record RepairResult(string Outcome, bool KeptNewRegistration);
