using Microsoft.Extensions.Logging;

namespace RunnerTokens.GitHub;

/// <summary>This package's log lines. None takes a token; messages are masked before they get here. Durations and times come formatted (<see cref="LogText"/>).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "GitHub {Operation} failed, GitHub call {Call} of {Calls}, {Where}; next in {Delay}: {Error}")]
    public static partial void Retrying(ILogger logger, string operation, int call, int calls, string where, string delay, string error);

    [LoggerMessage(EventId = 320, Level = LogLevel.Warning, Message = "GitHub {Operation} failed, GitHub call {Call} of {Calls}, {Where}: the {Retries} GitHub retries (GitHub:MaxRetryAttempts) this refresh may make are used up: {Error}")]
    public static partial void RetriesSpent(ILogger logger, string operation, int call, int calls, string where, int retries, string error);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "GitHub {Operation} hit a rate limit; waiting {Delay}: {Error}")]
    public static partial void RateLimitWait(ILogger logger, string operation, string delay, string error);

    [LoggerMessage(EventId = 302, Level = LogLevel.Error, Message = "GitHub {Operation}: the rate limit asks for {Wait}, beyond GitHub:MaxRateLimitWait = {Limit}; giving up until {RetryAfter}")]
    public static partial void RateLimitTooLong(ILogger logger, string operation, string wait, string limit, string retryAfter);

    [LoggerMessage(EventId = 303, Level = LogLevel.Debug, Message = "GitHub credential for {Scope}: {Credential}")]
    public static partial void CredentialChosen(ILogger logger, string scope, string credential);

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "{What} {Path} is readable by other users (mode {Mode}); make it readable by its owner only (chmod 600)")]
    public static partial void SecretFileOpen(ILogger logger, string what, string path, string mode);

    [LoggerMessage(EventId = 305, Level = LogLevel.Information, Message = "GitHub App installation {InstallationId} token renewed; it expires at {ExpiresAt}")]
    public static partial void InstallationTokenRenewed(ILogger logger, long installationId, string expiresAt);

    [LoggerMessage(EventId = 306, Level = LogLevel.Information, Message = "GitHub {Kind} token for {Scope} fetched; it expires at {ExpiresAt}")]
    public static partial void TokenFetched(ILogger logger, string kind, string scope, string expiresAt);

    [LoggerMessage(EventId = 307, Level = LogLevel.Debug, Message = "GitHub {Kind} token for {Scope} reused; it expires at {ExpiresAt}")]
    public static partial void TokenReused(ILogger logger, string kind, string scope, string expiresAt);

    [LoggerMessage(EventId = 309, Level = LogLevel.Information, Message = "Runner {Runner}: GitHub lists it as {Status}, busy={Busy}")]
    public static partial void RunnerStatus(ILogger logger, string runner, string status, bool busy);

    [LoggerMessage(EventId = 310, Level = LogLevel.Warning, Message = "Runner {Runner}: GitHub has no runner of that name in {Scope}")]
    public static partial void RunnerNotListed(ILogger logger, string runner, string scope);

    [LoggerMessage(EventId = 311, Level = LogLevel.Information, Message = "GitHub App is installed on {Owner} as installation {InstallationId}")]
    public static partial void InstallationFound(ILogger logger, string owner, long installationId);

    [LoggerMessage(EventId = 312, Level = LogLevel.Debug, Message = "Runner {Runner}: GitHub lists id {Id}, custom labels {Labels}, default labels {HasDefaultLabels}, ephemeral {Ephemeral}, runner group {RunnerGroupId}")]
    public static partial void RunnerRegistration(ILogger logger, string runner, long id, string labels, bool hasDefaultLabels, bool? ephemeral, long? runnerGroupId);

    [LoggerMessage(EventId = 321, Level = LogLevel.Debug, Message = "Runner {Runner}: GitHub listed it at {CheckedAt}; not asked again before {NextCheckAt} (GitHub:RegistrationCheckInterval, GitHub:RegistrationChecksPerHour)")]
    public static partial void RegistrationCheckSkipped(ILogger logger, string runner, string checkedAt, string nextCheckAt);

    [LoggerMessage(EventId = 326, Level = LogLevel.Information, Message = "{Runners} runners, at most {PerHour} questions to GitHub an hour (GitHub:RegistrationChecksPerHour): each runner whose log looks healthy is asked about every {Cadence} on average")]
    public static partial void RegistrationCadenceShared(ILogger logger, int runners, int perHour, string cadence);

    [LoggerMessage(EventId = 322, Level = LogLevel.Information, Message = "Runner {Runner}: {Why}; asking GitHub whether it still lists the runner")]
    public static partial void RegistrationCheckDoubtful(ILogger logger, string runner, string why);

    [LoggerMessage(EventId = 323, Level = LogLevel.Warning, Message = "GitHub's answers cannot be saved to {Path} ({Error}); timer and cron runs will ask GitHub without ETags: set GitHub:StateDirectory to a folder this user may write")]
    public static partial void ResponsesNotSaved(ILogger logger, string path, string error);

    [LoggerMessage(EventId = 324, Level = LogLevel.Warning, Message = "Runner {Runner}: when GitHub was last asked cannot be saved to {Path} ({Error}); the next check asks again")]
    public static partial void RegistrationCheckNotSaved(ILogger logger, string runner, string path, string error);

    [LoggerMessage(EventId = 325, Level = LogLevel.Warning, Message = "The GitHub App's installation cannot be saved to {Path} ({Error}); timer and cron runs will look it up each time: set GitHub:StateDirectory to a folder this user may write")]
    public static partial void InstallationNotSaved(ILogger logger, string path, string error);

    [LoggerMessage(EventId = 327, Level = LogLevel.Warning, Message = "The GitHub App's installation token cannot be saved to {Path} ({Error}); each timer or cron run that calls GitHub will fetch a new one: set GitHub:StateDirectory to a folder this user may write")]
    public static partial void InstallationTokenNotSaved(ILogger logger, string path, string error);

    [LoggerMessage(EventId = 328, Level = LogLevel.Warning, Message = "The GitHub App's installation tokens in {Path} are not used: {Problem}; a new token will be fetched and the file replaced, mode 600")]
    public static partial void InstallationTokenFileRefused(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = 330, Level = LogLevel.Information, Message = "{Questions} questions to GitHub this minute, the most this process asks in one: the other runners due are asked at the next checks")]
    public static partial void RegistrationQuestionsDeferred(ILogger logger, int questions);

    [LoggerMessage(EventId = 329, Level = LogLevel.Debug, Message = "GitHub App installation {InstallationId} token taken from the state folder; it expires at {ExpiresAt}")]
    public static partial void InstallationTokenReused(ILogger logger, long installationId, string expiresAt);

    [LoggerMessage(EventId = 315, Level = LogLevel.Debug, Message = "Runner {Runner}: GitHub, asked by name, has none of that name in {Scope}")]
    public static partial void RunnerAbsentConfirmed(ILogger logger, string runner, string scope);

    [LoggerMessage(EventId = 316, Level = LogLevel.Warning, Message = "Runner {Runner}: cannot tell from GitHub whether it is running a job: {Error}")]
    public static partial void BusyStateUnknown(ILogger logger, string runner, string error);

    [LoggerMessage(EventId = 317, Level = LogLevel.Warning, Message = "GitHub's rate limit cannot be saved to {Path} ({Error}); other runs of the refresher will not know it: set GitHub:StateDirectory to a folder this user may write")]
    public static partial void RateLimitNotSaved(ILogger logger, string path, string error);

    [LoggerMessage(EventId = 318, Level = LogLevel.Warning, Message = "GitHub {Operation} not sent: {Error}")]
    public static partial void RateLimitRemembered(ILogger logger, string operation, string error);

    [LoggerMessage(EventId = 319, Level = LogLevel.Warning, Message = "GitHub App installation {OldInstallationId} on {Owner} is gone (reinstalled or removed); now installation {InstallationId}")]
    public static partial void InstallationChanged(ILogger logger, string owner, long oldInstallationId, long installationId);
}
