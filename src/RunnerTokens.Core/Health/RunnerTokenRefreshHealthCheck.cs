using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using RunnerTokens.Refresh;

namespace RunnerTokens;

/// <summary>
/// The seed's health rules, per runner, over what this process's engine has done (not over a metrics file): 3 or more
/// consecutive failed refreshes is unhealthy; no check yet, or a last check older than the stale limit, is degraded;
/// otherwise healthy. The whole is the worst runner's status, with every runner's figures in the result's data.
/// </summary>
internal sealed class RunnerTokenRefreshHealthCheck(
    RunnerHealthTracker tracker, IOptionsMonitor<RunnerTokenRefreshOptions> options, TimeProvider timeProvider) : IHealthCheck
{
    // As they are now: a reload may change the interval.
    private readonly LastGoodOptions<RunnerTokenRefreshOptions> _settings = new(options);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = _settings.Value;

        // The seed's 300 s, or two intervals where the daemon checks less often than that.
        var staleAfter = TimeSpan.FromSeconds(Math.Max(RefreshHealth.StaleCheckSeconds, 2 * settings.CheckInterval.TotalSeconds));
        var now = timeProvider.GetUtcNow();
        var seen = tracker.Runners;
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var problems = new List<string>();
        var status = HealthStatus.Healthy;

        foreach (var (name, entry) in seen.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            var (runnerStatus, problem) = Judge(entry, now, staleAfter);
            status = Worst(status, runnerStatus);
            if (problem is not null)
            {
                problems.Add($"{name}: {problem}");
            }

            data[name] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["status"] = runnerStatus.ToString(),
                ["last_check"] = entry.LastCheck,
                ["seconds_since_last_check"] = entry.LastCheck is { } at ? (long)(now - at).TotalSeconds : null,
                ["last_refresh"] = entry.LastRefresh,
                ["consecutive_failures"] = entry.ConsecutiveFailures,
            };
        }

        var configured = tracker.Checking ?? settings.Runners.Count;
        if (seen.Count < configured)
        {
            // A runner not checked yet (the daemon is starting, or its first check is still running).
            status = Worst(status, HealthStatus.Degraded);
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{configured - seen.Count} of {configured} runner(s) not checked yet"));
        }

        var description = problems.Count == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{seen.Count} runner(s) checked, none failing")
            : string.Join("; ", problems);

        // Unhealthy is reported as the registration's failure status (Unhealthy unless the embedder chose another).
        var reported = status == HealthStatus.Unhealthy ? context.Registration.FailureStatus : status;
        return Task.FromResult(new HealthCheckResult(reported, description, data: data));
    }

    private static (HealthStatus Status, string? Problem) Judge(RunnerHealthEntry entry, DateTimeOffset now, TimeSpan staleAfter)
    {
        if (entry.ConsecutiveFailures >= RefreshHealth.CriticalConsecutiveFailures)
        {
            return (HealthStatus.Unhealthy, string.Create(CultureInfo.InvariantCulture, $"{entry.ConsecutiveFailures} consecutive refresh failures"));
        }

        if (entry.LastCheck is not { } lastCheck)
        {
            return (HealthStatus.Degraded, "not checked yet");
        }

        var age = now - lastCheck;
        return age > staleAfter
            ? (HealthStatus.Degraded, string.Create(CultureInfo.InvariantCulture, $"last check {(long)age.TotalSeconds} s ago (limit {(long)staleAfter.TotalSeconds} s)"))
            : (HealthStatus.Healthy, null);
    }

    private static HealthStatus Worst(HealthStatus a, HealthStatus b) => a < b ? a : b;
}
