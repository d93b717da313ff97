namespace RunnerTokens.Systemd;

/// <summary>
/// Brings a runner from any journaled step to a consistent state: registered anew (once config.sh finished) or
/// restored byte for byte, with <c>.service</c> in place and the unit running. Shared by the rollback after a failure
/// and the recovery after a crash; safe to repeat, and the journal is dropped only when everything worked.
/// </summary>
internal sealed class RegistrationRepair(
    ReconfigurationJournal journal,
    RegistrationBackup backup,
    UnitController units)
{
    /// <param name="runner">The runner.</param>
    /// <param name="entry">The journal of the interrupted re-registration.</param>
    /// <param name="afterCrash">
    /// Whether the process died during the step: then a complete new registration found after the configure step is
    /// kept, as config.sh may have finished. After a reported failure the step's outcome is known and this is false.
    /// </param>
    /// <param name="masker">Masks the tokens in command output.</param>
    /// <param name="cancellationToken">Stops the repair (the journal stays for the next try).</param>
    /// <returns>What was done, for the logs and the error message.</returns>
    public async Task<string> RepairAsync(RunnerContext runner, JournalEntry entry, bool afterCrash, SecretMasker masker, CancellationToken cancellationToken)
    {
        string outcome;
        if (entry.Step == ReconfigurationStep.Backup)
        {
            journal.Delete(runner);
            return "nothing had changed yet; the runner was left as it was";
        }

        var keepNew = entry.Step == ReconfigurationStep.Start
            || (afterCrash && entry.Step == ReconfigurationStep.Configure && backup.HasNewRegistration(runner, entry.Files));
        if (keepNew)
        {
            // The old registration is gone from the server once config.sh has replaced it: restoring it would leave a runner GitHub rejects.
            backup.PutServiceBack(runner, entry.Files);
            outcome = "the new registration is kept (config.sh had finished and replaced the old one on the server)";
        }
        else
        {
            backup.Restore(runner, entry.Files);
            backup.PutServiceBack(runner, entry.Files);
            outcome = $"the registration files were restored from the backup ({string.Join(", ", entry.Files.Select(f => f.Name))})";
        }

        if (entry.Unit is { } unit)
        {
            // The unit recorded in the journal is the one that was stopped, whatever the options say now.
            await units.StartAsync(unit, entry.UserUnit, masker, cancellationToken).ConfigureAwait(false);
            outcome += $", and {unit} is running again";
        }
        else
        {
            outcome += " (not a service: no unit to start)";
        }

        journal.Delete(runner);
        return outcome;
    }
}
