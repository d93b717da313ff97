using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using System.IO.Abstractions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RunnerTokens;
using RunnerTokens.Expiry;
using RunnerTokens.Metrics;
using RunnerTokens.Preflight;
using RunnerTokens.Refresh;
using RunnerTokens.Runners;
using RunnerTokens.State;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the RunnerTokens refresh engine.</summary>
public static class RunnerTokenRefreshServiceCollectionExtensions
{
    /// <summary>
    /// Adds the refresh engine (<see cref="IRunnerTokenRefresher"/>), its daemon (a hosted service), the runner-files
    /// expiry source, the JSON metrics file, the <c>RunnerTokens</c> meter, the Prometheus file (written when
    /// <see cref="RunnerTokenRefreshOptions.PrometheusFile"/> is set) and the preflight checklist
    /// (<see cref="IRunnerPreflight"/>, with the check that the state and metrics folders are writable). Options are validated at start.
    /// Calling it again adds nothing twice.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder for the other RunnerTokens packages to add a token issuer, a reconfigurer and more.</returns>
    public static IRunnerTokenRefreshBuilder AddRunnerTokenRefresh(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        // Every service by a factory that calls its constructor, not by type: see ServiceFactories.
        services.AddOptions<RunnerTokenRefreshOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RunnerTokenRefreshOptions>, RunnerTokenRefreshOptionsDataValidator>(_ => new()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RunnerTokenRefreshOptions>, RunnerTokenRefreshOptionsValidator>(
            sp => new(sp.Get<RunnerContextFactory>())));

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IFileSystem>(_ => new FileSystem());
        services.TryAddSingleton(sp => new RunnerContextFactory(sp.Get<IFileSystem>(), sp.Get<RegistrationRecordStore>()));
        services.TryAddSingleton(sp => new RunnerStateStore(sp.Get<IFileSystem>()));
        services.TryAddSingleton(sp => new RegistrationRecordStore(sp.Get<IFileSystem>()));
        services.TryAddSingleton(sp => new RegistrationResolver(
            sp.Get<IFileSystem>(), sp.Get<RegistrationRecordStore>(), sp.GetServices<IRunnerRegistrationSource>(), sp.Get<TimeProvider>(), sp.LoggerFor<RegistrationResolver>()));
        services.TryAddSingleton(sp => new RunnerLock(sp.Get<IFileSystem>(), sp.Get<TimeProvider>()));
        services.TryAddSingleton<IRunnerTokenRefresher>(sp => new RefreshEngine(
            sp.Get<IOptionsMonitor<RunnerTokenRefreshOptions>>(),
            sp.Get<RunnerContextFactory>(),
            sp.GetServices<IExpirySource>(),
            sp.GetServices<IRunnerBusyProbe>(),
            sp.GetServices<IMetricsSink>(),
            sp.GetServices<IRefreshRecovery>(),
            sp.Get<RunnerStateStore>(),
            sp.Get<RegistrationResolver>(),
            sp.Get<RunnerLock>(),
            sp.GetServices<IRunnerPreflightCheck>(),
            sp.Get<TimeProvider>(),
            sp.LoggerFor<RefreshEngine>(),
            sp.GetService<ITokenIssuer>(),
            sp.GetService<IRunnerReconfigurer>()));
        services.TryAddSingleton<IRunnerPreflight>(sp => new RunnerPreflight(
            sp.GetServices<IConfigureOptions<RunnerTokenRefreshOptions>>(),
            sp.GetServices<IPostConfigureOptions<RunnerTokenRefreshOptions>>(),
            sp.Get<RunnerContextFactory>(),
            sp.GetServices<IRunnerPreflightCheck>(),
            sp.Get<IFileSystem>(),
            sp.LoggerFor<RunnerPreflight>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRunnerPreflightCheck, WritablePathsCheck>(sp => new(
            sp.Get<IFileSystem>(),
            sp.GetServices<IConfigureOptions<RunnerTokenRefreshOptions>>(),
            sp.GetServices<IPostConfigureOptions<RunnerTokenRefreshOptions>>())));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExpirySource, RunnerFilesExpirySource>(sp => new(sp.Get<IFileSystem>(), sp.Get<RunnerStateStore>())));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMetricsSink, JsonFileMetricsSink>(sp => new(sp.Get<IFileSystem>(), sp.LoggerFor<JsonFileMetricsSink>())));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMetricsSink, MeterMetricsSink>(sp => new(sp.GetService<IMeterFactory>())));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMetricsSink, PrometheusTextFileSink>(sp => new(
            sp.Get<IOptions<RunnerTokenRefreshOptions>>(),
            sp.Get<IFileSystem>(),
            sp.GetServices<IRateLimitSource>(),
            sp.Get<TimeProvider>(),
            sp.LoggerFor<PrometheusTextFileSink>())));
        if (!services.Any(d => d.ServiceType == typeof(NoDaemon)))
        {
            services.TryAddEnumerable(Daemon);
        }

        return new RunnerTokenRefreshBuilder(services);
    }

    /// <summary>Adds the refresh engine and configures its options.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options: runners, threshold, retries.</param>
    /// <returns>A builder for the other RunnerTokens packages.</returns>
    public static IRunnerTokenRefreshBuilder AddRunnerTokenRefresh(this IServiceCollection services, Action<RunnerTokenRefreshOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = services.AddRunnerTokenRefresh();
        services.Configure(configure);
        return builder;
    }

    /// <summary>Adds the refresh engine and binds its options to a configuration section.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="section">The section, shaped as <see cref="RunnerTokenRefreshOptions"/>.</param>
    /// <returns>A builder for the other RunnerTokens packages.</returns>
    public static IRunnerTokenRefreshBuilder AddRunnerTokenRefresh(this IServiceCollection services, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var builder = services.AddRunnerTokenRefresh();
        services.Configure<RunnerTokenRefreshOptions>(section);
        return builder;
    }

    /// <summary>Adds an expiry source, asked about every runner at each check. Adding the same type twice adds it once.</summary>
    /// <typeparam name="TSource">The source.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IRunnerTokenRefreshBuilder AddExpirySource<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TSource>(this IRunnerTokenRefreshBuilder builder)
        where TSource : class, IExpirySource
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IExpirySource, TSource>());
        return builder;
    }

    /// <summary>Adds a metrics sink, told of every check and refresh. Adding the same type twice adds it once.</summary>
    /// <typeparam name="TSink">The sink.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IRunnerTokenRefreshBuilder AddMetricsSink<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TSink>(this IRunnerTokenRefreshBuilder builder)
        where TSink : class, IMetricsSink
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IMetricsSink, TSink>());
        return builder;
    }

    /// <summary>
    /// Adds a preflight check, run by <see cref="IRunnerPreflight"/> for every runner and, when it guards refreshes
    /// (<see cref="IRunnerPreflightCheck.GuardsRefresh"/>), by the engine before every refresh. Adding the same type twice adds it once.
    /// </summary>
    /// <typeparam name="TCheck">The check.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IRunnerTokenRefreshBuilder AddPreflightCheck<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TCheck>(this IRunnerTokenRefreshBuilder builder)
        where TCheck : class, IRunnerPreflightCheck
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IRunnerPreflightCheck, TCheck>());
        return builder;
    }

    /// <summary>Adds an observer the daemon tells after each check of every runner. Adding the same type twice adds it once.</summary>
    /// <typeparam name="TObserver">The observer.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IRunnerTokenRefreshBuilder AddCheckObserver<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TObserver>(this IRunnerTokenRefreshBuilder builder)
        where TObserver : class, IRefreshCheckObserver
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IRefreshCheckObserver, TObserver>());
        return builder;
    }

    /// <summary>
    /// Leaves out the daemon: no hosted service checks the runners every <see cref="RunnerTokenRefreshOptions.CheckInterval"/>.
    /// The engine stays, for a service that checks when it chooses (<see cref="IRunnerTokenRefresher.RunOnceAsync"/>,
    /// from an endpoint or a job of its own). Holds whenever it is called, before or after <c>AddRunnerTokenRefresh()</c> is called again.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IRunnerTokenRefreshBuilder WithoutDaemon(this IRunnerTokenRefreshBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Remove(Daemon);
        builder.Services.TryAddSingleton(new NoDaemon());
        return builder;
    }

    /// <summary>
    /// Adds a runner beside those of the options' <see cref="RunnerTokenRefreshOptions.Runners"/> list (configured
    /// elsewhere, such as from a configuration section): <paramref name="name"/> is its name on GitHub, checked against
    /// its <c>.runner</c> as a <see cref="RunnerOptions.Name"/> given in the list is.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The runner's name.</param>
    /// <param name="configure">Sets the rest: its <see cref="RunnerOptions.Directory"/> at least.</param>
    /// <returns>The builder.</returns>
    public static IRunnerTokenRefreshBuilder AddRunner(this IRunnerTokenRefreshBuilder builder, string name, Action<RunnerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure<RunnerTokenRefreshOptions>(options =>
        {
            var runner = new RunnerOptions { Name = name };
            configure(runner);
            options.Runners.Add(runner);
        });
        return builder;
    }

    /// <summary>The daemon's registration, one instance, so <see cref="WithoutDaemon"/> removes exactly it.</summary>
    private static readonly ServiceDescriptor Daemon = ServiceDescriptor.Singleton<IHostedService, RunnerTokenRefreshService>(sp => new(
        sp.Get<IRunnerTokenRefresher>(),
        sp.Get<IOptionsMonitor<RunnerTokenRefreshOptions>>(),
        sp.Get<TimeProvider>(),
        sp.LoggerFor<RunnerTokenRefreshService>(),
        sp.GetServices<IRefreshCheckObserver>()));

    /// <summary>Registered by <see cref="WithoutDaemon"/>: a later <c>AddRunnerTokenRefresh()</c> adds no daemon.</summary>
    private sealed class NoDaemon;
}
