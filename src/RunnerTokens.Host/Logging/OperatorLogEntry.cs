using Microsoft.Extensions.Logging;

namespace RunnerTokens.Host.Logging;

/// <summary>One log record as the operator's line needs it, whichever logger (console, Serilog file) it came through.</summary>
internal readonly record struct OperatorLogEntry(
    DateTimeOffset Timestamp,
    LogLevel Level,
    string Category,
    int EventId,
    string? Runner,
    string Message,
    Exception? Exception);
