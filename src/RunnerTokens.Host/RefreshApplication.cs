using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RunnerTokens.GitHub;
using RunnerTokens.Host.CommandLine;
using RunnerTokens.Host.Limits;
using RunnerTokens.Host.Logging;
using RunnerTokens.Host.Memory;
using RunnerTokens.Host.Preflight;
using RunnerTokens.Host.Reload;
using RunnerTokens.Host.Telemetry;
using RunnerTokens.Systemd;

namespace RunnerTokens.Host;

/// <summary>Runs one invocation of the command: resolves settings, then health, one-shot or daemon.</summary>
internal sealed class RefreshApplication(IReadOnlyDictionary<string, string?> environment, TextWriter output, TextWriter error)
{
    /// <summary>How long the daemon's start-up checks may take; systemd's default start timeout is 90 s.</summary>
    private static readonly TimeSpan DaemonPreflightLimit = TimeSpan.FromSeconds(45);

    public async Task<int> RunAsync(HostArguments arguments, CancellationToken cancellationToken)
    {
        var settings = HostSettings.Resolve(arguments, environment);
        if (settings.Errors.Count > 0)
        {
            foreach (var message in settings.Errors)
            {
                await error.WriteLineAsync($"runner-token-refresh: {message}").ConfigureAwait(false);
            }

            if (settings.Mode == HostMode.Health)
            {
                // A monitoring system shows the plugin's standard output: say there why the check cannot run.
                await output.WriteLineAsync($"CRITICAL: bad setting: {settings.Errors[0]}").ConfigureAwait(false);
            }

            return ExitCodes.InvalidConfiguration;
        }

        switch (settings.Mode)
        {
            case HostMode.Health:
                return HealthCheck.Run(settings.Refresh, settings.MaxAge, TimeProvider.System.GetUtcNow(), output);
            case HostMode.CheckAndRefresh:
                return await CheckAndRefreshAsync(settings, cancellationToken).ConfigureAwait(false);
            case HostMode.Daemon:
                return await RunDaemonAsync(arguments, settings, cancellationToken).ConfigureAwait(false);
            case HostMode.CheckConfig:
                return await CheckConfigAsync(settings, cancellationToken).ConfigureAwait(false);
            default:
                await error.WriteLineAsync("runner-token-refresh: choose a mode: --daemon, --check-and-refresh, --check-config or --health (see --help).").ConfigureAwait(false);
                return ExitCodes.InvalidConfiguration;
        }
    }

    private async Task<int> CheckAndRefreshAsync(HostSettings settings, CancellationToken cancellationToken)
    {
        await using var services = BuildOneShot(settings);

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

        // Every option is checked before anything runs: one-shot resolves the Systemd options only when it re-registers,
        // after a token was fetched, so a bad unit name or time limit would otherwise be found too late.
        if (StartupFailures(services) is { Count: > 0 } failures)
        {
            return await InvalidAsync(settings, failures).ConfigureAwait(false);
        }

        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);

        // Only with a collector named: then what the check traced and counted is sent before the exit, within a limit.
        await using var otlp = StartOtlp(services, oneShot: true);
        try
        {
            if (settings.Refresh.DryRun)
            {
                // The checklist above the plan: what would stop a real refresh, never failing the dry run itself.
                var reports = await services.GetRequiredService<IRunnerPreflight>().RunAsync(stop.Token).ConfigureAwait(false);
                await output.WriteAsync(settings.Describe(PreflightReportWriter.Render(reports))).ConfigureAwait(false);
                await output.FlushAsync(stop.Token).ConfigureAwait(false);
            }

            var results = await services.GetRequiredService<IRunnerTokenRefresher>().RunOnceAsync(stop.Token).ConfigureAwait(false);
            return results.Any(r => r.Outcome == RefreshOutcome.Failed) ? ExitCodes.RefreshFailed : ExitCodes.Success;
        }
        catch (OptionsValidationException ex)
        {
            return await InvalidAsync(settings, ex).ConfigureAwait(false);
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

    private async Task<int> RunDaemonAsync(HostArguments arguments, HostSettings settings, CancellationToken cancellationToken)
    {
        var reloadable = new ReloadableConfiguration(settings.Configuration);
        using var host = BuildDaemon(settings, reloadable);
        try
        {
            // Validate before the host starts: the host would log a bad setting as "Hosting failed to start" with a
            // stack trace; an operator needs one line naming the setting, and exit 2.
            if (StartupFailures(host.Services) is { Count: > 0 } failures)
            {
                return await InvalidAsync(settings, failures).ConfigureAwait(false);
            }

            // Before anything locks a runner: the lock keeps two open files per runner for as many as the limit allows.
            var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("RunnerTokens.Host");
            OpenFilesLimit.Raise(logger);

            // Refuse to start only on what makes every refresh impossible (such as no right to stop the unit), within
            // a limit that keeps systemd's start timeout: a check that cannot finish in time "cannot tell".
            using (var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                limit.CancelAfter(DaemonPreflightLimit);
                try
                {
                    var reports = await host.Services.GetRequiredService<IRunnerPreflight>().RunAsync(limit.Token).ConfigureAwait(false);
                    if (settings.Refresh.DryRun)
                    {
                        // A dry run refreshes nothing: the checklist is shown, as above a one-shot dry run's plan.
                        await output.WriteAsync(settings.Describe(PreflightReportWriter.Render(reports))).ConfigureAwait(false);
                    }
                    else if (PreflightReportWriter.StopsDaemon(reports))
                    {
                        await error.WriteAsync(settings.Describe(PreflightReportWriter.Render(reports))).ConfigureAwait(false);
                        await error.WriteLineAsync("runner-token-refresh: not starting: every refresh would fail (see the ✘ above; check again with --check-config).").ConfigureAwait(false);
                        return ExitCodes.InvalidConfiguration;
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    await error.WriteLineAsync("runner-token-refresh: the start-up checks did not finish in time; starting anyway.").ConfigureAwait(false);
                }
            }

            // SIGHUP (systemctl reload): the settings are read again, and the runners and check settings they give are
            // used from the next check. Without this, SIGHUP's default action would end the daemon.
            using var hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true;
                Reload(arguments, settings, reloadable, logger);
            });

            // Started with the checks and stopped after the host's last one, so the last check's spans are sent too.
            await using (StartOtlp(host.Services, oneShot: false))
            {
                await host.RunAsync(cancellationToken).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        }
        catch (OptionsValidationException ex)
        {
            return await InvalidAsync(settings, ex).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads the settings again as at start (the <c>--config</c> file, the variables, the flags) and, when they are
    /// valid, hands them to the engine through <paramref name="reloadable"/>. Settings a running daemon cannot change
    /// (the GitHub and Systemd sections, the policy, the log and the Prometheus file) are named in a warning.
    /// </summary>
    private void Reload(HostArguments arguments, HostSettings started, ReloadableConfiguration reloadable, ILogger logger)
    {
        try
        {
            ReloadLog.Reloading(logger, arguments.Config is { } file ? $"--config {file}" : "the flags and variables");
            var next = HostSettings.Resolve(arguments, environment);
            if (next.Errors.Count > 0)
            {
                ReloadLog.ReloadRefused(logger, string.Join(" ", next.Errors));
                return;
            }

            if (RestartOnlyChanges(started.Configuration, next.Configuration) is { Count: > 0 } changed)
            {
                ReloadLog.NeedsRestart(logger, string.Join(", ", changed));
            }

            reloadable.Replace(next.Configuration);
        }
#pragma warning disable CA1031 // A reload must never end the daemon: the runners go on being checked as before.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            ReloadLog.ReloadRefused(logger, ex.Message);
        }
    }

    /// <summary>The keys, not the values (a section may hold a secret), of the settings a reload does not apply.</summary>
    internal static List<string> RestartOnlyChanges(IConfiguration before, IConfiguration after)
    {
        static bool RestartOnly(string key) =>
            key.StartsWith("GitHub:", StringComparison.OrdinalIgnoreCase)
            || key.StartsWith("Systemd:", StringComparison.OrdinalIgnoreCase)
            || key.StartsWith("Host:", StringComparison.OrdinalIgnoreCase)
            || key.Equals(nameof(RunnerTokenRefreshOptions.Policy), StringComparison.OrdinalIgnoreCase)
            || key.Equals(nameof(RunnerTokenRefreshOptions.PrometheusFile), StringComparison.OrdinalIgnoreCase);

        static Dictionary<string, string?> Values(IConfiguration configuration) => configuration.AsEnumerable()
            .Where(pair => pair.Value is not null && RestartOnly(pair.Key))
            .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.OrdinalIgnoreCase);

        var old = Values(before);
        var now = Values(after);
        return [.. old.Keys.Union(now.Keys, StringComparer.OrdinalIgnoreCase)
            .Where(key => old.GetValueOrDefault(key) != now.GetValueOrDefault(key))
            .Order(StringComparer.Ordinal)];
    }

    /// <summary><c>--check-config</c>: the checklist of every runner; exit 0 when nothing failed, else 2.</summary>
    private async Task<int> CheckConfigAsync(HostSettings settings, CancellationToken cancellationToken)
    {
        await using var services = BuildOneShot(settings);

        // The runners' own settings are lines of their checklists (the preflight resolves them itself); a bad GitHub or
        // Systemd option (an App key file that cannot sign, a bad unit name) would only make each check "cannot tell".
        if (StartupFailures(services, except: typeof(RunnerTokenRefreshOptions)) is { Count: > 0 } failures)
        {
            await output.WriteAsync(settings.Describe(PreflightReportWriter.RenderSettings(failures))).ConfigureAwait(false);
            return ExitCodes.InvalidConfiguration;
        }

        var reports = await services.GetRequiredService<IRunnerPreflight>().RunAsync(cancellationToken).ConfigureAwait(false);
        await output.WriteAsync(settings.Describe(PreflightReportWriter.Render(reports))).ConfigureAwait(false);
        return PreflightReportWriter.ExitCode(reports);
    }

    /// <summary>The OTLP export when the standard variables name a collector, else null: nothing of OpenTelemetry runs.</summary>
    private OtlpExport? StartOtlp(IServiceProvider services, bool oneShot) =>
        OtlpSettings.FromEnvironment(environment) is { } otlp
            ? OtlpExport.Start(otlp, environment, oneShot, services.GetRequiredService<ILoggerFactory>())
            : null;

    /// <summary>
    /// Binds and validates every package's options now, and returns every failure; those of <paramref name="except"/>
    /// are left out. What <c>ValidateOnStart</c> does, through the <see cref="IOptions{TOptions}"/> the services use
    /// rather than a monitor of each: so each is bound and validated once (the GitHub App's key read once), and Native
    /// AOT does not close the monitors' generic types at run time for a single check.
    /// </summary>
    private static List<string> StartupFailures(IServiceProvider services, Type? except = null)
    {
        // In the order the packages were added, as the start-up validator reports them.
        var failures = new List<string>();
        Validate<RunnerTokenRefreshOptions>(services, except, failures);
        Validate<GitHubOptions>(services, except, failures);
        Validate<SystemdOptions>(services, except, failures);
        return failures;
    }

    private static void Validate<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(
        IServiceProvider services, Type? except, List<string> failures)
        where TOptions : class
    {
        try
        {
            _ = services.GetRequiredService<IOptions<TOptions>>().Value;
        }
        catch (OptionsValidationException ex)
        {
            if (ex.OptionsType != except)
            {
                failures.AddRange(ex.Failures);
            }
        }
    }

    /// <summary>One line per failure, naming each setting as the user gave it (<c>--runner-dir</c>, not <c>Runners[0].Directory</c>).</summary>
    private Task<int> InvalidAsync(HostSettings settings, OptionsValidationException ex) => InvalidAsync(settings, ex.Failures);

    private async Task<int> InvalidAsync(HostSettings settings, IEnumerable<string> failures)
    {
        foreach (var failure in failures)
        {
            await error.WriteLineAsync($"runner-token-refresh: {settings.Describe(failure)}").ConfigureAwait(false);
        }

        return ExitCodes.InvalidConfiguration;
    }

    /// <summary>
    /// The services of a run that starts no host (the one-shot check, <c>--check-config</c>): without the generic host,
    /// whose lifetime, environment and hosted services a single check does not use and whose start-up it would pay for.
    /// </summary>
    private ServiceProvider BuildOneShot(HostSettings settings)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddOperatorLogging(new HostLoggingSettings(settings.LogLevel, settings.LogFile), environment, error));
        Compose(services, settings, () => settings.Configuration, daemon: false);

        // The packages register every service of theirs by a factory; what is left to the container's reflection over
        // constructors is the logger factory and the options, registered as open generic types by AddLogging and
        // AddOptions. A single check reloads nothing, so here each is built directly from what those registered: the
        // logger factory with the filter rules configured once, and each package's options as IOptions<T> does.
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp =>
        {
            var filter = new LoggerFilterOptions();
            foreach (var configure in sp.GetServices<IConfigureOptions<LoggerFilterOptions>>())
            {
                configure.Configure(filter);
            }

            return new LoggerFactory(sp.GetServices<ILoggerProvider>(), filter);
        }));
        OneShotOptions<RunnerTokenRefreshOptions>.Register(services);
        OneShotOptions<GitHubOptions>.Register(services);
        OneShotOptions<SystemdOptions>.Register(services);
        return services.BuildServiceProvider();
    }

    private IHost BuildDaemon(HostSettings settings, ReloadableConfiguration reloadable)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.AddOperatorLogging(new HostLoggingSettings(settings.LogLevel, settings.LogFile), environment, error);

        // Under systemd: Type=notify readiness, and log lines in the journal's format with syslog priorities.
        builder.Services.AddSystemd();

        // On SIGTERM a refresh in progress rolls back (its own limit is Systemd:RollbackTimeout); give it the time.
        // The unit's TimeoutStopSec is longer still.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromMinutes(10));

        Compose(builder.Services, settings, () => reloadable.Current, daemon: true);
        builder.Services.AddSingleton<IOptionsChangeTokenSource<RunnerTokenRefreshOptions>>(reloadable);
        return builder.Build();
    }

    /// <summary>The packages and the host's own additions, the same for every mode.</summary>
    private void Compose(IServiceCollection services, HostSettings settings, Func<IConfiguration> refreshSettings, bool daemon)
    {
        // One configuration, bound by each package's options: the file, then the variables, then the flags. The refresh
        // options are bound from what a reload put in place (the daemon), each time the options monitor asks.
        var configuration = settings.Configuration;
        var refresh = services.AddRunnerTokenRefresh(options => refreshSettings().Bind(options))
            .AddGitHub(configuration.GetSection("GitHub"))
            .AddSystemdReconfigurer(configuration.GetSection("Systemd"));

        // The preflight's line for the log file this command writes (none under the journal unless asked for).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRunnerPreflightCheck>(
            new LogFileCheck(LogFile.Choose(settings.LogFile, HostLogging.UnderJournal(environment)))));

        if (daemon)
        {
            // After each check, its summary to systemd (STATUS=), for `systemctl status`.
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IRefreshCheckObserver, SystemdStatusObserver>(sp => new(
                sp.GetRequiredService<IOptions<RunnerTokenRefreshOptions>>(), sp.GetService<ISystemdNotifier>())));

            // After a check, before the daemon sleeps, memory given back to the system: start-up's after the first, the
            // check's garbage after each later one a long enough interval away.
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IRefreshCheckObserver, DaemonMemoryRelease>(sp => new(
                sp.GetRequiredService<IOptions<RunnerTokenRefreshOptions>>(), sp.GetRequiredService<ILogger<DaemonMemoryRelease>>())));
        }

        // With --policy registration, also whether GitHub still lists the runner. Not with the expiry policy: "GitHub
        // lists it" would count as "valid, no expiry" and so stop the renewal before the cached token's expiry.
        if (settings.Refresh.Policy == RefreshPolicy.Registration)
        {
            refresh.AddGitHubRegistrationSource();
        }
    }
}
