using Microsoft.Extensions.Logging;

namespace RunnerTokens.Systemd;

/// <summary>Source-generated log messages of the systemd reconfigurer. None carries a token: commands are shown masked.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Debug, Message = "Ran `{Command}`: exit code {ExitCode} after {Elapsed}")]
    public static partial void CommandRan(ILogger logger, string command, int exitCode, string elapsed);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Runner {Runner}: step {Step}: {Description}")]
    public static partial void StepStarted(ILogger logger, string runner, string step, string description);

    [LoggerMessage(EventId = 402, Level = LogLevel.Information, Message = "Runner {Runner} is not a service ({Why}): it is re-registered without stopping or starting a unit")]
    public static partial void NotAService(ILogger logger, string runner, string why);

    [LoggerMessage(EventId = 403, Level = LogLevel.Information, Message = "Runner {Runner}: unit {Unit} (from {Origin})")]
    public static partial void UnitFound(ILogger logger, string runner, string unit, string origin);

    [LoggerMessage(EventId = 404, Level = LogLevel.Information, Message = "Runner {Runner}: registering '{Name}' at {Url}; settings: {Origins}")]
    public static partial void Registering(ILogger logger, string runner, string name, string url, string origins);

    [LoggerMessage(EventId = 405, Level = LogLevel.Information, Message = "Runner {Runner}: {Unit} is listening for jobs ({Logs})")]
    public static partial void Listening(ILogger logger, string runner, string unit, string logs);

    [LoggerMessage(EventId = 406, Level = LogLevel.Information, Message = "Runner {Runner}: re-registered as '{Name}'{Unit}")]
    public static partial void Reconfigured(ILogger logger, string runner, string name, string unit);

    [LoggerMessage(EventId = 407, Level = LogLevel.Warning, Message = "Runner {Runner}: step {Step} failed; repaired: {Repair}")]
    public static partial void RolledBack(ILogger logger, string runner, string step, string repair);

    [LoggerMessage(EventId = 408, Level = LogLevel.Error, Message = "Runner {Runner}: step {Step} failed and the repair failed too: {Error}; the journal {Journal} is kept and the next check repairs the runner")]
    public static partial void RollbackFailed(ILogger logger, string runner, string step, string error, string journal);

    [LoggerMessage(EventId = 409, Level = LogLevel.Warning, Message = "Runner {Runner}: an earlier re-registration stopped at step {Step} (journal {Journal}); repairing")]
    public static partial void Recovering(ILogger logger, string runner, string step, string journal);

    [LoggerMessage(EventId = 410, Level = LogLevel.Information, Message = "Runner {Runner}: repaired: {Outcome}")]
    public static partial void Recovered(ILogger logger, string runner, string outcome);

    [LoggerMessage(EventId = 411, Level = LogLevel.Warning, Message = "Runner {Runner}: re-registration cancelled at step {Step}; repaired: {Repair}")]
    public static partial void Cancelled(ILogger logger, string runner, string step, string repair);

    [LoggerMessage(EventId = 416, Level = LogLevel.Warning, Message = "Runner {Runner}: step {Step} failed ({Error}), but the repair kept the new registration and started the unit again, and it listens for jobs: re-registered; not retried ({Repair})")]
    public static partial void FixedByRepair(ILogger logger, string runner, string step, string error, string repair);

    [LoggerMessage(EventId = 412, Level = LogLevel.Warning, Message = "Runner {Runner}: {Warning}")]
    public static partial void Warning(ILogger logger, string runner, string warning);

    [LoggerMessage(EventId = 413, Level = LogLevel.Information, Message = "Runner {Runner}: config.sh remove left {File}; deleted it (it is in the backup)")]
    public static partial void LeftoverDeleted(ILogger logger, string runner, string file);

    [LoggerMessage(EventId = 417, Level = LogLevel.Warning, Message = "{What} (process {ProcessId}) was killed, but its end was not seen within {Grace}; it is left behind and the check goes on")]
    public static partial void CommandAbandoned(ILogger logger, string what, int processId, string grace);

    [LoggerMessage(EventId = 414, Level = LogLevel.Information, Message = "still waiting for {What} ({Elapsed} of {Limit})")]
    public static partial void StillWaiting(ILogger logger, string what, string elapsed, string limit);

    [LoggerMessage(EventId = 415, Level = LogLevel.Warning, Message = "Runner {Runner}: the backup {Backup} is missing; {Consequence}")]
    public static partial void BackupMissing(ILogger logger, string runner, string backup, string consequence);
}
