using System.IO.Abstractions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RunnerTokens;
using RunnerTokens.GitHub;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the GitHub side of RunnerTokens: registration and remove tokens, the busy check, the runner as GitHub lists it, and the registration expiry source.</summary>
public static class GitHubRunnerTokenRefreshBuilderExtensions
{
    /// <summary>
    /// Adds the GitHub token issuer (<see cref="ITokenIssuer"/>), busy check (<see cref="IRunnerBusyProbe"/>) and
    /// registration source (<see cref="IRunnerRegistrationSource"/>: the runner as GitHub lists it, with the id, custom
    /// labels, default-label choice, ephemeral flag and group a re-registration keeps), with their credentials, caches
    /// and rate-limit handling. A runner is always asked for by name, never by listing its whole scope, so the cost does
    /// not grow with the organisation. Also adds the preflight check (<see cref="IRunnerPreflightCheck"/>) that the credential works: one
    /// read-only call per runner, and the rate-limit source (<see cref="IRateLimitSource"/>) that tells the Prometheus file
    /// what GitHub last said of each runner's rate limit. Options are validated at start, the credential files named included (they must exist and be readable, a key in PEM form); credentials are read at each call. Calling it
    /// again adds nothing twice.
    /// </summary>
    /// <param name="builder">The builder from <c>AddRunnerTokenRefresh()</c>.</param>
    /// <returns>The builder.</returns>
    public static IRunnerTokenRefreshBuilder AddGitHub(this IRunnerTokenRefreshBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;

        // Every service by a factory that calls its constructor, not by type: see ServiceFactories.
        services.AddOptions<GitHubOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GitHubOptions>, GitHubOptionsDataValidator>(_ => new()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GitHubOptions>, GitHubOptionsValidator>(_ => new()));

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IEnvironmentVariables>(_ => new ProcessEnvironmentVariables());
        services.TryAddSingleton(_ => new SecretMasker());
        services.TryAddSingleton(sp => new SecretFile(sp.LoggerFor<SecretFile>()));
        services.TryAddSingleton<IFileSystem>(_ => new FileSystem());
        services.TryAddSingleton(sp => new GitHubStateFolder(
            sp.Get<IOptions<GitHubOptions>>(), sp.Get<IOptions<RunnerTokenRefreshOptions>>(), sp.Get<IEnvironmentVariables>(), sp.Get<IFileSystem>()));
        services.TryAddSingleton(sp => new RateLimitMemory(sp.Get<GitHubStateFolder>(), sp.Get<IFileSystem>(), sp.Get<TimeProvider>(), sp.LoggerFor<RateLimitMemory>()));
        services.TryAddSingleton(sp => new ResponseCacheStore(sp.Get<GitHubStateFolder>(), sp.Get<IFileSystem>(), sp.Get<TimeProvider>(), sp.LoggerFor<ResponseCacheStore>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRefreshCheckObserver, ResponseCacheFlush>(sp => new(sp.Get<ResponseCacheStore>())));
        services.TryAddSingleton(sp => new InstallationMemory(sp.Get<GitHubStateFolder>(), sp.Get<IFileSystem>(), sp.LoggerFor<InstallationMemory>()));
        services.TryAddSingleton(sp => new InstallationTokenFile(sp.Get<GitHubStateFolder>(), sp.Get<IFileSystem>(), sp.LoggerFor<InstallationTokenFile>()));
        services.TryAddSingleton(_ => new GitHubRateLimitSource());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRateLimitSource, GitHubRateLimitSource>(sp => sp.Get<GitHubRateLimitSource>()));
        services.TryAddSingleton(sp => new GitHubApiClient(
            sp.Get<IOptions<GitHubOptions>>(),
            sp.Get<TimeProvider>(),
            sp.Get<SecretMasker>(),
            sp.Get<RateLimitMemory>(),
            sp.Get<ResponseCacheStore>(),
            sp.LoggerFor<GitHubApiClient>(),
            sp.GetService<GitHubHttpHandlerFactory>(),
            sp.Get<GitHubRateLimitSource>()));
        services.TryAddSingleton(sp => new GitHubCliTokenSource(sp.Get<IOptions<GitHubOptions>>(), sp.Get<TimeProvider>(), sp.Get<SecretMasker>()));
        services.TryAddSingleton(sp => new GitHubAppAuthenticator(
            sp.Get<IOptions<GitHubOptions>>(),
            sp.Get<GitHubApiClient>(),
            sp.Get<InstallationMemory>(),
            sp.Get<InstallationTokenFile>(),
            sp.Get<SecretFile>(),
            sp.Get<SecretMasker>(),
            sp.Get<TimeProvider>(),
            sp.LoggerFor<GitHubAppAuthenticator>()));
        services.TryAddSingleton(sp => new CredentialResolver(
            sp.Get<IOptions<GitHubOptions>>(),
            sp.Get<IEnvironmentVariables>(),
            sp.Get<GitHubAppAuthenticator>(),
            sp.Get<GitHubCliTokenSource>(),
            sp.Get<SecretFile>(),
            sp.Get<SecretMasker>(),
            sp.LoggerFor<CredentialResolver>()));
        services.TryAddSingleton(sp => new RunnerLookup(
            sp.Get<IOptions<GitHubOptions>>(), sp.Get<CredentialResolver>(), sp.Get<GitHubApiClient>(), sp.Get<TimeProvider>(), sp.LoggerFor<RunnerLookup>()));
        services.TryAddSingleton<ITokenIssuer>(sp => new GitHubTokenIssuer(
            sp.Get<IOptions<GitHubOptions>>(),
            sp.Get<CredentialResolver>(),
            sp.Get<GitHubApiClient>(),
            sp.Get<SecretMasker>(),
            sp.Get<TimeProvider>(),
            sp.LoggerFor<GitHubTokenIssuer>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRunnerBusyProbe, GitHubRunnerBusyProbe>(sp => new(sp.Get<RunnerLookup>(), sp.LoggerFor<GitHubRunnerBusyProbe>())));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRunnerRegistrationSource, GitHubRunnerRegistrationSource>(sp =>
        {
            // Found at the first use, not here: the registration source may be added after this.
            var registration = new Lazy<GitHubRegistrationExpirySource?>(() => sp.GetServices<IExpirySource>().OfType<GitHubRegistrationExpirySource>().FirstOrDefault());
            return new(sp.Get<RunnerLookup>(), () => registration.Value, sp.LoggerFor<GitHubRunnerRegistrationSource>());
        }));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRunnerPreflightCheck, GitHubCredentialCheck>(
            sp => new(sp.Get<IOptions<GitHubOptions>>(), sp.Get<RunnerLookup>(), sp.Get<SecretMasker>())));
        return builder;
    }

    /// <summary>Adds the GitHub side and configures its options.</summary>
    /// <param name="builder">The builder from <c>AddRunnerTokenRefresh()</c>.</param>
    /// <param name="configure">Sets the options: API URL, credentials, time limits.</param>
    /// <returns>The builder.</returns>
    public static IRunnerTokenRefreshBuilder AddGitHub(this IRunnerTokenRefreshBuilder builder, Action<GitHubOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.AddGitHub();
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>Adds the GitHub side and binds its options to a configuration section.</summary>
    /// <param name="builder">The builder from <c>AddRunnerTokenRefresh()</c>.</param>
    /// <param name="section">The section, shaped as <see cref="GitHubOptions"/>, such as <c>GitHub</c>.</param>
    /// <returns>The builder.</returns>
    public static IRunnerTokenRefreshBuilder AddGitHub(this IRunnerTokenRefreshBuilder builder, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        builder.AddGitHub();
        builder.Services.Configure<GitHubOptions>(section);
        return builder;
    }

    /// <summary>
    /// Adds the GitHub side (as <see cref="AddGitHub(IRunnerTokenRefreshBuilder)"/>) and the registration source: an
    /// <see cref="IRemoteExpirySource"/> (<c>github</c>) that reports a runner's registration invalid only when GitHub
    /// says it has no runner of that name (deleted after 14 days offline, or by an admin), and unknown when GitHub cannot
    /// be asked or cannot tell, for the registration policy. It asks GitHub when the local sources see something wrong,
    /// otherwise once per <see cref="GitHubOptions.RegistrationCheckInterval"/> (jittered; less often when the process's
    /// runners would together ask more than <see cref="GitHubOptions.RegistrationChecksPerHour"/> an hour), remembering
    /// when in the runner's state folder, so neither a daemon nor a timer or cron run asks at every check. Calling it again adds
    /// nothing twice.
    /// </summary>
    /// <param name="builder">The builder from <c>AddRunnerTokenRefresh()</c>.</param>
    /// <returns>The builder.</returns>
    public static IRunnerTokenRefreshBuilder AddGitHubRegistrationSource(this IRunnerTokenRefreshBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddGitHub();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IExpirySource, GitHubRegistrationExpirySource>(sp => new(
            sp.Get<RunnerLookup>(), sp.Get<IOptions<GitHubOptions>>(), sp.Get<IOptionsMonitor<RunnerTokenRefreshOptions>>(), sp.Get<IFileSystem>(), sp.Get<TimeProvider>(), sp.LoggerFor<GitHubRegistrationExpirySource>())));
        return builder;
    }
}
