using System.Globalization;
using Microsoft.Extensions.Logging;

namespace RunnerTokens.Host.Logging;

/// <summary>
/// The one shape of an operator's log line, on a terminal and in the log file:
/// <c>2026-11-26 15:04:05 info  build-01: refreshed …</c>; for the journal, which stamps lines itself,
/// <c>&lt;6&gt;build-01: refreshed …</c> with the syslog priority. Category and event id only when verbose (Debug or
/// below); a stack trace only when verbose or for an exception that is not an expected failure.
/// </summary>
internal static class OperatorLogLine
{
    /// <summary>The key under which the runner's name travels, in the engine's scope and in the messages' state.</summary>
    public const string RunnerKey = "Runner";

    public static void Write(TextWriter writer, in OperatorLogEntry entry, bool verbose, bool journal)
    {
        if (journal)
        {
            writer.Write('<');
            writer.Write(Priority(entry.Level));
            writer.Write('>');
        }
        else
        {
            writer.Write(entry.Timestamp.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
            writer.Write(' ');
            writer.Write(LevelName(entry.Level));
            writer.Write(' ');
        }

        if (verbose)
        {
            writer.Write(entry.Category);
            if (entry.EventId != 0)
            {
                writer.Write('[');
                writer.Write(entry.EventId.ToString(CultureInfo.InvariantCulture));
                writer.Write(']');
            }

            writer.Write(' ');
        }

        var message = entry.Message;
        if (!string.IsNullOrEmpty(entry.Runner))
        {
            writer.Write(entry.Runner);
            writer.Write(": ");

            // The packages' messages start "Runner NAME: " for loggers that show no scope; the column says it already.
            var prefix = "Runner " + entry.Runner + ": ";
            if (message.StartsWith(prefix, StringComparison.Ordinal))
            {
                message = message[prefix.Length..];
            }
        }

        var exception = entry.Exception is { } ex && (verbose || !ExpectedFailures.IsExpected(ex)) ? ex.ToString() : null;
        if (journal)
        {
            // One record per line in the journal: a newline would start a new one, without the priority.
            writer.Write(OneLine(message));
            if (exception is not null)
            {
                writer.Write(' ');
                writer.Write(OneLine(exception));
            }
        }
        else
        {
            writer.Write(message);
            if (exception is not null)
            {
                writer.Write(Environment.NewLine);
                writer.Write(exception);
            }
        }

        writer.Write(Environment.NewLine);
    }

    /// <summary>The level in five characters, so that the runner column lines up.</summary>
    public static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info ",
        LogLevel.Warning => "warn ",
        LogLevel.Error => "error",
        LogLevel.Critical => "crit ",
        _ => "     ",
    };

    /// <summary>The syslog priority journald reads from a <c>&lt;N&gt;</c> prefix (sd-daemon(3)).</summary>
    public static char Priority(LogLevel level) => level switch
    {
        LogLevel.Critical => '2',
        LogLevel.Error => '3',
        LogLevel.Warning => '4',
        LogLevel.Information => '6',
        _ => '7',
    };

    /// <summary>The runner's name in a record's key-value pairs (a message's state or a scope), if it has one.</summary>
    public static string? FindRunner(object? pairs)
    {
        if (pairs is IEnumerable<KeyValuePair<string, object?>> values)
        {
            foreach (var (key, value) in values)
            {
                if (key == RunnerKey && value is string runner && runner.Length > 0)
                {
                    return runner;
                }
            }
        }

        return null;
    }

    private static string OneLine(string text) =>
        text.Contains('\n', StringComparison.Ordinal)
            ? text.ReplaceLineEndings(" ")
            : text;
}
