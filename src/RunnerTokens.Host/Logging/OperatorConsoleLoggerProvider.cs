using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace RunnerTokens.Host.Logging;

/// <summary>
/// Writes each log line to standard output in the operator's format (<see cref="OperatorConsoleFormatter"/>), at once
/// and whole. Not .NET's console logger: its queue, its background thread and its options (bound and monitored) cost a
/// one-shot check more to start than the check itself, and a line written at once keeps its place among the command's
/// other output.
/// </summary>
internal sealed class OperatorConsoleLoggerProvider(OperatorConsoleFormatter formatter) : ILoggerProvider, ISupportExternalScope
{
    private readonly Lock _write = new();
    private IExternalScopeProvider? _scopes;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private void Write<TState>(in LogEntry<TState> entry)
    {
        using var line = new StringWriter(CultureInfo.InvariantCulture);
        formatter.Write(entry, _scopes, line);
        if (line.GetStringBuilder().Length == 0)
        {
            return;
        }

        // Console.Out as it is now (as .NET's console logger reads it), one line at a time.
        lock (_write)
        {
            Console.Out.Write(line.ToString());
        }
    }

    private sealed class Logger(OperatorConsoleLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull =>
            provider._scopes?.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter));
            }
        }
    }
}
