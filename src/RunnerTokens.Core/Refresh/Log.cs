using Microsoft.Extensions.Logging;

namespace RunnerTokens.Refresh;

/// <summary>
/// The engine's log lines. None takes a token: there is no parameter to put one in. Durations and times come
/// formatted (<see cref="LogText"/>), so every logger shows <c>4 min 10 s</c> rather than <c>00:04:10</c>.
/// </summary>
internal static partial class Log
{
    private static readonly Func<ILogger, string, IDisposable?> _runnerScope = LoggerMessage.DefineScope<string>("Runner {Runner}");

    /// <summary>
    /// Everything logged while one runner is handled, by any package, carries its name (the scope's <c>Runner</c> key),
    /// for formatters and sinks that show scopes.
    /// </summary>
    public static IDisposable? RunnerScope(ILogger logger, string runner) => _runnerScope(logger, runner);

    /// <summary>
    /// A runner's decision: at <see cref="LogLevel.Information"/>, or at <see cref="LogLevel.Debug"/> when it repeats
    /// one already logged within the hour (<see cref="RefreshEngine"/>).
    /// </summary>
    [LoggerMessage(EventId = 100, Message = "Runner {Runner}: source={Source} seconds_left={SecondsLeft} action={Action}: {Reason}")]
    public static partial void Decision(ILogger logger, LogLevel level, string runner, string source, string secondsLeft, string action, string reason);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Runner {Runner}: dry run, step {Step} of {Steps} would be: {Action}")]
    public static partial void DryRunStep(ILogger logger, string runner, int step, int steps, string action);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Runner {Runner}: busy with a job on GitHub; refresh postponed to the next check")]
    public static partial void Postponed(ILogger logger, string runner);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Runner {Runner}: refreshed; new registration token expires at {ExpiresAt}")]
    public static partial void Refreshed(ILogger logger, string runner, string expiresAt);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "Runner {Runner}: refresh attempt {Attempt} of {Attempts} failed, next in {Delay}: {Error}")]
    public static partial void AttemptFailed(ILogger logger, string runner, int attempt, int attempts, string delay, string error);

    [LoggerMessage(EventId = 105, Level = LogLevel.Error, Message = "Runner {Runner}: refresh failed after {Attempts} of {MaxAttempts} attempt(s), {WhyStopped} ({ConsecutiveFailures} in a row); the runner keeps its previous registration: {Error}")]
    public static partial void RefreshFailed(ILogger logger, string runner, int attempts, int maxAttempts, string whyStopped, int consecutiveFailures, string error, Exception exception);

    [LoggerMessage(EventId = 106, Level = LogLevel.Critical, Message = "ALERT: runner {Runner}: {ConsecutiveFailures} consecutive refresh failures; the runner may be offline for GitHub until this is fixed")]
    public static partial void ConsecutiveFailuresAlert(ILogger logger, string runner, int consecutiveFailures);

    [LoggerMessage(EventId = 107, Level = LogLevel.Warning, Message = "Runner {Runner}: expiry source {Source} failed and counts as unknown: {Error}")]
    public static partial void SourceFailed(ILogger logger, string runner, string source, string error);

    [LoggerMessage(EventId = 108, Level = LogLevel.Warning, Message = "Runner {Runner}: metrics sink {Sink} failed: {Error}")]
    public static partial void SinkFailed(ILogger logger, string runner, string sink, string error);

    [LoggerMessage(EventId = 109, Level = LogLevel.Warning, Message = "Runner {Runner}: {Problem}")]
    public static partial void StateProblem(ILogger logger, string runner, string problem);

    [LoggerMessage(EventId = 110, Level = LogLevel.Error, Message = "Runner {Runner}: check failed: {Error}")]
    public static partial void CheckFailed(ILogger logger, string runner, string error, Exception exception);

    [LoggerMessage(EventId = 111, Level = LogLevel.Error, Message = "Check cycle failed; the next one runs in {Interval}: {Error}")]
    public static partial void CycleFailed(ILogger logger, string interval, string error, Exception exception);

    [LoggerMessage(EventId = 113, Level = LogLevel.Warning, Message = "Runner {Runner}: another process held its lock for {Timeout}; check postponed to the next one")]
    public static partial void Locked(ILogger logger, string runner, string timeout);

    [LoggerMessage(EventId = 112, Level = LogLevel.Information, Message = "Daemon started: {Runners} runner(s), checking every {Interval}")]
    public static partial void DaemonStarted(ILogger logger, int runners, string interval);

    [LoggerMessage(EventId = 114, Level = LogLevel.Warning, Message = "Runner {Runner}: {Problem}; the registration record is not used")]
    public static partial void RecordProblem(ILogger logger, string runner, string problem);

    [LoggerMessage(EventId = 115, Level = LogLevel.Warning, Message = "Runner {Runner}: registration source {Source} failed: {Error}")]
    public static partial void RegistrationSourceFailed(ILogger logger, string runner, string source, string error);

    [LoggerMessage(EventId = 116, Level = LogLevel.Warning, Message = "Metrics sink {Sink} could not write this check's metrics: {Error}")]
    public static partial void CheckSinkFailed(ILogger logger, string sink, string error);

    [LoggerMessage(EventId = 117, Level = LogLevel.Information, Message = "Runner {Runner}: registers again as {Name} at {Url}; {Origins}")]
    public static partial void RegistrationResolved(ILogger logger, string runner, string name, string url, string origins);

    [LoggerMessage(EventId = 130, Level = LogLevel.Warning, Message = "Runner {Runner}: preflight check {Check} failed and counts as cannot tell: {Error}")]
    public static partial void PreflightCheckFailed(ILogger logger, string runner, string check, string error);

    [LoggerMessage(EventId = 131, Level = LogLevel.Warning, Message = "Runner {Runner}: cannot tell before the refresh whether {Check} ({Detail}); refreshing anyway")]
    public static partial void RefreshGuardUnknown(ILogger logger, string runner, string check, string detail);

    [LoggerMessage(EventId = 136, Level = LogLevel.Information, Message = "Settings changed: checking {Runners} runners from the next check (added: {Added}; removed: {Removed})")]
    public static partial void SettingsApplied(ILogger logger, int runners, string added, string removed);

    [LoggerMessage(EventId = 137, Level = LogLevel.Error, Message = "The changed settings are not used, the {Runners} runners are checked as before: {Problem}")]
    public static partial void SettingsRefused(ILogger logger, int runners, string problem);

    [LoggerMessage(EventId = 118, Level = LogLevel.Warning, Message = "Check observer {Observer} failed: {Error}")]
    public static partial void ObserverFailed(ILogger logger, string observer, string error);

    [LoggerMessage(EventId = 119, Level = LogLevel.Information, Message = "{Listings} runners listed on the server for their registration records this minute, the most this process lists in one: the others are listed at the next checks")]
    public static partial void ListingsDeferred(ILogger logger, int listings);
}
