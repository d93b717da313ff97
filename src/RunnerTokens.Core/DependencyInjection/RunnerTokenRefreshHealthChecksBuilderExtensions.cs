using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using RunnerTokens;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the refresh engine's health to ASP.NET Core's and the generic host's health checks.</summary>
public static class RunnerTokenRefreshHealthChecksBuilderExtensions
{
    /// <summary>The name the check is registered under unless another is given.</summary>
    public const string DefaultName = "runner-token-refresh";

    /// <summary>
    /// Adds a health check over what this process's refresh engine has done, runner by runner, with the rules of the
    /// <c>--health</c> command: 3 or more consecutive failed refreshes of a runner is unhealthy (reported as
    /// <paramref name="failureStatus"/>); a runner not checked yet, or whose last check is older than 300 seconds (or
    /// two check intervals, when longer), is degraded; otherwise healthy. The result's data holds, for each runner by
    /// name, its status, last check, seconds since it, last refresh and consecutive failures. Needs
    /// <c>AddRunnerTokenRefresh()</c>; reads no file. Calling it again with another name adds a second registration of
    /// the same check.
    /// </summary>
    /// <param name="builder">The builder from <c>AddHealthChecks()</c>.</param>
    /// <param name="name">The check's name.</param>
    /// <param name="failureStatus">What an unhealthy runner is reported as; null for <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by (readiness, liveness).</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddRunnerTokenRefresh(
        this IHealthChecksBuilder builder, string name = DefaultName, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);

        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => new RunnerHealthTracker());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMetricsSink, RunnerHealthTracker>(sp => sp.Get<RunnerHealthTracker>()));
        return builder.Add(new HealthCheckRegistration(
            name,
            sp => new RunnerTokenRefreshHealthCheck(sp.Get<RunnerHealthTracker>(), sp.Get<IOptionsMonitor<RunnerTokenRefreshOptions>>(), sp.Get<TimeProvider>()),
            failureStatus,
            tags));
    }
}
