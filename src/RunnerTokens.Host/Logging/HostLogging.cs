using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;

namespace RunnerTokens.Host.Logging;

/// <summary>The host's logging: the operator's console lines, and the log file where there is no journal.</summary>
internal static class HostLogging
{
    /// <summary>
    /// Logs to standard output in the operator's format (<see cref="OperatorConsoleFormatter"/>): time, level, runner,
    /// message on a terminal; priority, runner, message for the journal. Adds the log file (<see cref="LogFile"/>):
    /// the one asked for, or under no journal the default one.
    /// </summary>
    /// <param name="logging">The host's logging builder.</param>
    /// <param name="settings">The level and the log file the operator chose.</param>
    /// <param name="environment">The process's environment: <c>JOURNAL_STREAM</c> says standard output goes to the journal.</param>
    /// <param name="error">Where to say that the log file cannot be written.</param>
    /// <returns>The builder.</returns>
    public static ILoggingBuilder AddOperatorLogging(
        this ILoggingBuilder logging, HostLoggingSettings settings, IReadOnlyDictionary<string, string?> environment, TextWriter error)
    {
        var journal = UnderJournal(environment);
        var verbose = settings.MinimumLevel <= LogLevel.Debug;
        logging.SetMinimumLevel(settings.MinimumLevel);
        logging.Services.TryAddSingleton(TimeProvider.System);

        // The operator's console lines (the journal's format under systemd, so AddSystemd's console formatter is not used).
        var format = new OperatorConsoleFormatterOptions { Verbose = verbose, Journal = journal };
        logging.Services.AddSingleton<ILoggerProvider>(services => new OperatorConsoleLoggerProvider(
            new OperatorConsoleFormatter(format, services.GetRequiredService<TimeProvider>())));

#pragma warning disable CA2000 // The logging provider owns and disposes the file logger (dispose: true).
        if (LogFile.Choose(settings.LogFile, journal) is { } path
            && LogFile.Open(path, asked: settings.LogFile is not null, SerilogLevel(settings.MinimumLevel), verbose, error) is { } file)
        {
            logging.AddSerilog(file, dispose: true);
        }
#pragma warning restore CA2000

        return logging;
    }

    /// <summary>
    /// Whether standard output goes to the journal: systemd sets <c>JOURNAL_STREAM</c> for a unit whose output it
    /// keeps (a service, a timer's oneshot), and .NET's own test (started by systemd) covers the rest.
    /// </summary>
    internal static bool UnderJournal(IReadOnlyDictionary<string, string?> environment) =>
        (environment.TryGetValue("JOURNAL_STREAM", out var stream) && !string.IsNullOrEmpty(stream)) || SystemdHelpers.IsSystemdService();

    private static LogEventLevel SerilogLevel(LogLevel level) => level switch
    {
        LogLevel.Trace => LogEventLevel.Verbose,
        LogLevel.Debug => LogEventLevel.Debug,
        LogLevel.Information => LogEventLevel.Information,
        LogLevel.Warning => LogEventLevel.Warning,
        LogLevel.Error => LogEventLevel.Error,
        _ => LogEventLevel.Fatal,
    };
}
