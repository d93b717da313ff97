using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace RunnerTokens.Host.Logging;

/// <summary>
/// The console's lines for an operator (<see cref="OperatorLogLine"/>): time, level, runner, message. The runner is
/// the message's own <c>Runner</c> value, or else the engine's scope around the runner being handled.
/// </summary>
internal sealed class OperatorConsoleFormatter(OperatorConsoleFormatterOptions options, TimeProvider timeProvider)
{
    public void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null)
        {
            return;
        }

        var runner = OperatorLogLine.FindRunner(logEntry.State);
        if (runner is null && scopeProvider is not null)
        {
            // Innermost scope wins: scopes are visited from the outermost in.
            var holder = new RunnerHolder();
            scopeProvider.ForEachScope(static (scope, found) => found.Runner = OperatorLogLine.FindRunner(scope) ?? found.Runner, holder);
            runner = holder.Runner;
        }

        var entry = new OperatorLogEntry(
            timeProvider.GetUtcNow(), logEntry.LogLevel, logEntry.Category, logEntry.EventId.Id, runner, message ?? string.Empty, logEntry.Exception);
        OperatorLogLine.Write(textWriter, entry, options.Verbose, options.Journal);
    }

    private sealed class RunnerHolder
    {
        public string? Runner { get; set; }
    }
}
