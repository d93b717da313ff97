using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RunnerTokens.Host.CommandLine;
using RunnerTokens.Host.Logging;

namespace RunnerTokens.Host;

/// <summary>Runs one invocation of the command: resolves settings, then health, one-shot or daemon.</summary>
internal sealed class RefreshApplication(IReadOnlyDictionary<string, string?> environment, TextWriter output, TextWriter error)
{
    public async Task<int> RunAsync(CommandLineValues values, CancellationToken cancellationToken)
    {
        var settings = HostSettings.Resolve(values, environment);
        if (settings.Errors.Count > 0)
        {
            foreach (var message in settings.Errors)
            {
                await error.WriteLineAsync($"runner-token-refresh: {message}").ConfigureAwait(false);
            }

            return ExitCodes.InvalidConfiguration;
        }

        switch (settings.Mode)
        {
            case HostMode.Health:
                var report = RefreshHealth.Evaluate(settings.MetricsFile, TimeProvider.System.GetUtcNow());
                await output.WriteLineAsync(report.Message).ConfigureAwait(false);
                return (int)report.Status;
            case HostMode.CheckAndRefresh:
                return await CheckAndRefreshAsync(settings, cancellationToken).ConfigureAwait(false);
            case HostMode.Daemon:
                return await RunDaemonAsync(settings, cancellationToken).ConfigureAwait(false);
            default:
                await error.WriteLineAsync("runner-token-refresh: choose a mode: --daemon, --check-and-refresh or --health (see --help).").ConfigureAwait(false);
                return ExitCodes.InvalidConfiguration;
        }
    }

    private async Task<int> CheckAndRefreshAsync(HostSettings settings, CancellationToken cancellationToken)
    {
        using var host = Build(settings, daemon: false);

        // A cron job or a timer's oneshot gets SIGTERM at shutdown; a terminal sends SIGINT or SIGHUP. Each stops the
        // check as the daemon stops: a refresh in progress rolls back (within Systemd:RollbackTimeout), then exit.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        string? received = null;
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            if (Interlocked.CompareExchange(ref received, SignalName(context.Signal), null) is null)
            {
                error.WriteLine($"runner-token-refresh: {received} received: stopping; a refresh in progress is rolled back first.");
                stop.Cancel();
            }
        }

        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);
        try
        {
            var results = await host.Services.GetRequiredService<IRunnerTokenRefresher>().RunOnceAsync(stop.Token).ConfigureAwait(false);
            return results.Any(r => r.Outcome == RefreshOutcome.Failed) ? ExitCodes.RefreshFailed : ExitCodes.Success;
        }
        catch (OptionsValidationException ex)
        {
            return await InvalidAsync(ex).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (received is not null)
        {
            // A clean stop, as the daemon's: whatever was in progress was rolled back (or its journal kept for the next check).
            await error.WriteLineAsync($"runner-token-refresh: stopped by {received}.").ConfigureAwait(false);
            return ExitCodes.Success;
        }
    }

    private static string SignalName(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGTERM => "SIGTERM",
        PosixSignal.SIGINT => "SIGINT",
        PosixSignal.SIGHUP => "SIGHUP",
        _ => signal.ToString(),
    };

    private async Task<int> RunDaemonAsync(HostSettings settings, CancellationToken cancellationToken)
    {
        using var host = Build(settings, daemon: true);
        try
        {
            // Validate before the host starts: the host would log a bad setting as "Hosting failed to start" with a
            // stack trace; an operator needs one line naming the setting, and exit 2.
            host.Services.GetService<IStartupValidator>()?.Validate();
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        }
        catch (OptionsValidationException ex)
        {
            return await InvalidAsync(ex).ConfigureAwait(false);
        }
    }

    private async Task<int> InvalidAsync(OptionsValidationException ex)
    {
        foreach (var failure in ex.Failures)
        {
            await error.WriteLineAsync($"runner-token-refresh: {failure}").ConfigureAwait(false);
        }

        return ExitCodes.InvalidConfiguration;
    }

    private IHost Build(HostSettings settings, bool daemon)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        // HostSettings still fills in the old default log file; until it leaves LogFile null when neither --log-file nor
        // LOG_FILE is given, that default counts as "not given" (the journal, or the new default file, then applies).
        var logFile = settings.LogFile == HostSettings.DefaultLogFile ? null : settings.LogFile;
        builder.Logging.AddOperatorLogging(new HostLoggingSettings(LogLevel.Information, logFile), environment, error);

        if (daemon)
        {
            // Under systemd: Type=notify readiness, and log lines in the journal's format with syslog priorities.
            builder.Services.AddSystemd();

            // On SIGTERM a refresh in progress rolls back (its own limit is Systemd:RollbackTimeout); give it the time.
            // The unit's TimeoutStopSec is longer still.
            builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromMinutes(10));
        }

        var refresh = builder.Services.AddRunnerTokenRefresh(options => Copy(settings.Refresh, options));
        if (daemon)
        {
            // After each check, its summary to systemd (STATUS=), for `systemctl status`.
            refresh.AddCheckObserver<SystemdStatusObserver>();
        }

        if (settings.Configuration is { } file)
        {
            refresh.AddGitHub(file.GetSection("GitHub")).AddSystemdReconfigurer(file.GetSection("Systemd"));
        }

        // GitHub: tokens and the busy probe; with --policy registration also whether GitHub still lists the runner.
        // Not with the expiry policy: "GitHub lists it" would count as "valid, no expiry" and so stop the seed's
        // renewal before the cached token's expiry from ever starting.
        refresh.AddGitHub(settings.GitHub.ApplyTo);
        if (settings.Refresh.Policy == RefreshPolicy.Registration)
        {
            refresh.AddGitHubRegistrationSource();
        }
        refresh.AddSystemdReconfigurer(settings.Systemd.ApplyTo);
        return builder.Build();
    }

    internal static void Copy(RunnerTokenRefreshOptions from, RunnerTokenRefreshOptions to)
    {
        to.RefreshThreshold = from.RefreshThreshold;
        to.LockTimeout = from.LockTimeout;
        to.CheckInterval = from.CheckInterval;
        to.MaxRetryAttempts = from.MaxRetryAttempts;
        to.RetryBackoff = from.RetryBackoff;
        to.Policy = from.Policy;
        to.DryRun = from.DryRun;
        to.MetricsFile = from.MetricsFile;
        to.StateDirectory = from.StateDirectory;
        foreach (var runner in from.Runners)
        {
            to.Runners.Add(runner);
        }
    }
}
