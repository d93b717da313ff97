using Microsoft.Extensions.Logging;

namespace RunnerTokens.Host.Logging;

/// <summary>What the operator chose for the logs.</summary>
/// <param name="MinimumLevel">The lowest level logged; at <see cref="LogLevel.Debug"/> or below, lines also show category, event id and every stack trace.</param>
/// <param name="LogFile">The log file (<c>--log-file</c>, <c>LOG_FILE</c>); null when neither was given, <c>/dev/null</c> for none.</param>
internal sealed record HostLoggingSettings(LogLevel MinimumLevel, string? LogFile);
