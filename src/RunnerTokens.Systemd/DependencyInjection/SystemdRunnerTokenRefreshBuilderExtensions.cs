using System.IO.Abstractions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
    /// cgroup: local signals read at every check) and its preflight
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

        services.AddOptionsWithValidateOnStart<SystemdOptions, SystemdOptionsDataValidator>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SystemdOptions>, SystemdOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IFileSystem, FileSystem>();
        services.TryAddSingleton<WaitProgress>();
        services.TryAddSingleton<CommandRunner>();
        services.TryAddSingleton<UnitController>();
        services.TryAddSingleton<ReconfigurationJournal>();
        services.TryAddSingleton<RegistrationBackup>();
        services.TryAddSingleton<ReconfigurationSequence>();
        services.TryAddSingleton<RegistrationRepair>();
        services.TryAddSingleton<DiagLogReader>();
        services.TryAddSingleton<SystemdRefreshRecovery>();
        services.TryAddSingleton<IRunnerReconfigurer, SystemdReconfigurer>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRefreshRecovery, SystemdRefreshRecovery>(sp => sp.GetRequiredService<SystemdRefreshRecovery>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExpirySource, ListenerLogExpirySource>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExpirySource, UnitStateExpirySource>(sp =>
            new UnitStateExpirySource(sp.GetRequiredService<IFileSystem>(), sp.GetRequiredService<IOptions<SystemdOptions>>())));
        services.TryAddSingleton(_ => ProcessIdentity.Current());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRunnerPreflightCheck, UnitExistsCheck>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRunnerPreflightCheck, ConfigScriptCheck>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRunnerPreflightCheck, UnitControlCheck>());
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
