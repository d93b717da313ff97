using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
    /// keeps (a service, a timer's oneshot), and a process started by systemd covers the rest (<see cref="StartedBySystemd"/>).
    /// </summary>
    internal static bool UnderJournal(IReadOnlyDictionary<string, string?> environment) =>
        Has(environment, "JOURNAL_STREAM") || StartedBySystemd(environment);

    /// <summary>
    /// What <c>SystemdHelpers.IsSystemdService()</c> decides: as process 1, whether systemd's <c>NOTIFY_SOCKET</c> or
    /// <c>LISTEN_PID</c> is set (systemd in a container); otherwise whether the parent process is named <c>systemd</c>
    /// (the system's or a user's manager). Its parent's id is read from <c>/proc/self/stat</c> rather than by calling
    /// <c>getppid</c> through the library name "libc", which .NET resolves by trying some 70 paths: a fortieth of a
    /// one-shot check's CPU under Native AOT.
    /// </summary>
    internal static bool StartedBySystemd(IReadOnlyDictionary<string, string?> environment)
    {
        if (Environment.ProcessId == 1)
        {
            return Has(environment, "NOTIFY_SOCKET") || Has(environment, "LISTEN_PID");
        }

        try
        {
            // "pid (comm) state ppid ...": the name may hold spaces and parentheses, so the fields are counted after the last ')'.
            var stat = File.ReadAllText("/proc/self/stat");
            var fields = stat.AsSpan(stat.LastIndexOf(')') + 1).Trim();
            var afterState = fields[(fields.IndexOf(' ') + 1)..];
            var parent = afterState[..afterState.IndexOf(' ')];
            return File.ReadAllText($"/proc/{parent}/comm") == "systemd\n";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return false;
        }
    }

    private static bool Has(IReadOnlyDictionary<string, string?> environment, string name) =>
        environment.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value);

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
