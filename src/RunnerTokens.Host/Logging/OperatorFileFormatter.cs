using System.Globalization;
using Microsoft.Extensions.Logging;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;

namespace RunnerTokens.Host.Logging;

/// <summary>The log file's lines: the terminal's (<see cref="OperatorLogLine"/>), from Serilog's records.</summary>
internal sealed class OperatorFileFormatter(bool verbose) : ITextFormatter
{
    // "lj": strings as they are, not quoted, as the console shows them.
    private readonly MessageTemplateTextFormatter _message = new("{Message:lj}", CultureInfo.InvariantCulture);

    public void Format(LogEvent logEvent, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        using var message = new StringWriter(CultureInfo.InvariantCulture);
        _message.Format(logEvent, message);
        var entry = new OperatorLogEntry(
            logEvent.Timestamp,
            Level(logEvent.Level),
            Scalar(logEvent, "SourceContext") ?? string.Empty,
            EventId(logEvent),
            Scalar(logEvent, OperatorLogLine.RunnerKey),
            message.ToString(),
            logEvent.Exception);
        OperatorLogLine.Write(output, entry, verbose, journal: false);
    }

    private static LogLevel Level(LogEventLevel level) => level switch
    {
        LogEventLevel.Verbose => LogLevel.Trace,
        LogEventLevel.Debug => LogLevel.Debug,
        LogEventLevel.Information => LogLevel.Information,
        LogEventLevel.Warning => LogLevel.Warning,
        LogEventLevel.Error => LogLevel.Error,
        _ => LogLevel.Critical,
    };

    private static string? Scalar(LogEvent logEvent, string name) =>
        logEvent.Properties.TryGetValue(name, out var value) && value is ScalarValue { Value: string text } ? text : null;

    private static int EventId(LogEvent logEvent) =>
        logEvent.Properties.TryGetValue("EventId", out var value) && value is StructureValue structure
            && structure.Properties.FirstOrDefault(p => p.Name == "Id")?.Value is ScalarValue { Value: int id }
            ? id
            : 0;
}
