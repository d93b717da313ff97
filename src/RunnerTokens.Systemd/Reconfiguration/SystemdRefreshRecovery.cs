using Microsoft.Extensions.Logging;

namespace RunnerTokens.Systemd;

/// <summary>
/// At each check, finishes a re-registration that a crash interrupted, from its journal, by the same rule as the
/// rollback after a failure (<see cref="RegistrationRepair"/>). Returns at once when there is no journal.
/// </summary>
internal sealed class SystemdRefreshRecovery(
    ReconfigurationJournal journal,
    RegistrationRepair repair,
    ILogger<SystemdRefreshRecovery> logger) : IRefreshRecovery
{
    public async ValueTask RecoverAsync(RunnerContext runner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        JournalEntry? entry;
        try
        {
            entry = journal.Read(runner);
        }
        catch (InvalidDataException ex)
        {
            throw new RunnerReconfigurationException($"Runner {runner.Name}: cannot repair an interrupted re-registration: {ex.Message}", ex);
        }

        if (entry is null)
        {
            return;
        }

        Log.Recovering(logger, runner.Name, entry.Step, journal.JournalPath(runner));
        try
        {
            var outcome = await repair.RepairAsync(runner, entry, new SecretMasker(), cancellationToken).ConfigureAwait(false);
            Log.Recovered(logger, runner.Name, outcome.Outcome);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new RunnerReconfigurationException(
                $"Runner {runner.Name}: repairing the re-registration interrupted at step '{entry.Step}' failed: {ex.Message}. The journal {journal.JournalPath(runner)} is kept; the next check tries again.",
                ex);
        }
    }
}
