using System.IO.Abstractions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RunnerTokens;
using RunnerTokens.Systemd;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers re-registration of runners under systemd (<c>config.sh</c> and <c>systemctl</c>).</summary>
public static class SystemdRunnerTokenRefreshBuilderExtensions
{
    /// <summary>
    /// Adds the systemd reconfigurer (<see cref="IRunnerReconfigurer"/>), its crash recovery
    /// (<see cref="IRefreshRecovery"/>), the listener-log and unit-state expiry sources (<c>_diag/Runner_*.log</c>, the unit's
    /// cgroup: local signals read at every check; the unit's state, a hint for remote sources (<see cref="IExpiryHintSource"/>),
    /// only when one is registered) and its preflight
    /// checks (<see cref="IRunnerPreflightCheck"/>): the unit exists, <c>config.sh</c> can be run, and this user may stop
    /// and start the unit, which the engine also checks before every refresh, before it fetches a token.
    /// Options are validated at start. Calling it again adds nothing twice.
    /// </summary>
    /// <param name="builder">The builder from <c>AddRunnerTokenRefresh()</c>.</param>
    /// <returns>The builder.</returns>
    public static IRunnerTokenRefreshBuilder AddSystemdReconfigurer(this IRunnerTokenRefreshBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;

        // Every service by a factory that calls its constructor, not by type: see ServiceFactories.
        services.AddOptions<SystemdOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SystemdOptions>, SystemdOptionsDataValidator>(_ => new()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SystemdOptions>, SystemdOptionsValidator>(_ => new()));

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IFileSystem>(_ => new FileSystem());
        services.TryAddSingleton(sp => new WaitProgress(sp.Get<TimeProvider>(), sp.LoggerFor<WaitProgress>()));
        services.TryAddSingleton(sp => new CommandRunner(sp.Get<IOptions<SystemdOptions>>(), sp.Get<TimeProvider>(), sp.Get<WaitProgress>(), sp.LoggerFor<CommandRunner>()));
        services.TryAddSingleton(sp => new UnitController(sp.Get<IOptions<SystemdOptions>>(), sp.Get<CommandRunner>(), sp.Get<WaitProgress>(), sp.Get<TimeProvider>()));
        services.TryAddSingleton(sp => new ReconfigurationJournal(sp.Get<IFileSystem>()));
        services.TryAddSingleton(sp => new RegistrationBackup(sp.Get<IFileSystem>(), sp.Get<ReconfigurationJournal>()));
        services.TryAddSingleton(sp => new ReconfigurationSequence(
            sp.Get<IOptions<SystemdOptions>>(),
            sp.Get<IFileSystem>(),
            sp.Get<CommandRunner>(),
            sp.Get<UnitController>(),
            sp.Get<ReconfigurationJournal>(),
            sp.Get<RegistrationBackup>(),
            sp.Get<DiagLogReader>(),
            sp.Get<TimeProvider>(),
            sp.Get<WaitProgress>(),
            sp.Get<ILoggerFactory>(),
            sp.GetService<ITokenIssuer>()));
        services.TryAddSingleton(sp => new RegistrationRepair(
            sp.Get<ReconfigurationSequence>(), sp.Get<ReconfigurationJournal>(), sp.Get<RegistrationBackup>(), sp.Get<UnitController>(), sp.LoggerFor<RegistrationRepair>()));
        services.TryAddSingleton(sp => new DiagLogReader(sp.Get<IFileSystem>()));
        services.TryAddSingleton(sp => new SystemdRefreshRecovery(sp.Get<ReconfigurationJournal>(), sp.Get<RegistrationRepair>(), sp.LoggerFor<SystemdRefreshRecovery>()));
        services.TryAddSingleton<IRunnerReconfigurer>(sp => new SystemdReconfigurer(
            sp.Get<IOptions<SystemdOptions>>(),
            sp.Get<IFileSystem>(),
            sp.Get<ReconfigurationSequence>(),
            sp.Get<ReconfigurationJournal>(),
            sp.Get<RegistrationRepair>(),
            sp.Get<SystemdRefreshRecovery>(),
            sp.Get<DiagLogReader>(),
            sp.Get<TimeProvider>(),
            sp.LoggerFor<SystemdReconfigurer>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRefreshRecovery, SystemdRefreshRecovery>(sp => sp.Get<SystemdRefreshRecovery>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExpirySource, ListenerLogExpirySource>(sp => new(sp.Get<DiagLogReader>())));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExpirySource, UnitStateExpirySource>(sp => new(sp.Get<IFileSystem>(), sp.Get<IOptions<SystemdOptions>>())));
        services.TryAddSingleton(_ => ProcessIdentity.Current());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRunnerPreflightCheck, UnitExistsCheck>(
            sp => new(sp.Get<IOptions<SystemdOptions>>(), sp.Get<IFileSystem>(), sp.Get<CommandRunner>())));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRunnerPreflightCheck, ConfigScriptCheck>(
            sp => new(sp.Get<IOptions<SystemdOptions>>(), sp.Get<ProcessIdentity>())));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRunnerPreflightCheck, UnitControlCheck>(
            sp => new(sp.Get<IOptions<SystemdOptions>>(), sp.Get<IFileSystem>(), sp.Get<CommandRunner>(), sp.Get<ProcessIdentity>())));
        return builder;
    }

    /// <summary>Adds re-registration under systemd and configures its options.</summary>
    /// <param name="builder">The builder from <c>AddRunnerTokenRefresh()</c>.</param>
    /// <param name="configure">Sets the options: systemctl path and prefix, user units, units, time limits.</param>
    /// <returns>The builder.</returns>
    public static IRunnerTokenRefreshBuilder AddSystemdReconfigurer(this IRunnerTokenRefreshBuilder builder, Action<SystemdOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.AddSystemdReconfigurer();
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>Adds re-registration under systemd and binds its options to a configuration section.</summary>
    /// <param name="builder">The builder from <c>AddRunnerTokenRefresh()</c>.</param>
    /// <param name="section">The section, shaped as <see cref="SystemdOptions"/>, such as <c>Systemd</c>.</param>
    /// <returns>The builder.</returns>
    public static IRunnerTokenRefreshBuilder AddSystemdReconfigurer(this IRunnerTokenRefreshBuilder builder, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        builder.AddSystemdReconfigurer();
        builder.Services.Configure<SystemdOptions>(section);
        return builder;
    }
}
