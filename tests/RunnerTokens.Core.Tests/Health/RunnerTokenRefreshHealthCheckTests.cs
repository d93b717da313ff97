using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using RunnerTokens.Tests.Refresh;

namespace RunnerTokens.Tests.Health;

/// <summary>
/// AddHealthChecks().AddRunnerTokenRefresh(): what an embedder's /healthz says about the engine running in the same
/// process, with the seed's rules per runner, through the health check service an ASP.NET Core endpoint uses.
/// </summary>
public sealed class RunnerTokenRefreshHealthCheckTests : IDisposable
{
    private readonly EngineFixture _fixture = new(runners: 2);

    public RunnerTokenRefreshHealthCheckTests()
    {
        _fixture.ConfigureServices = services => services.AddHealthChecks().AddRunnerTokenRefresh(tags: ["ready"]);
        _fixture.SourceSays(ExpiryObservation.Expires("cache", _fixture.Time.GetUtcNow().AddDays(30)));
    }

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task CheckHealth_BeforeTheFirstCheck_DegradedNotCheckedYet()
    {
        _fixture.CreateSut();

        var report = await CheckAsync();

        var entry = report.Entries[RunnerTokenRefreshHealthChecksBuilderExtensions.DefaultName];
        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal("2 of 2 runner(s) not checked yet", entry.Description);
        Assert.Equal(["ready"], entry.Tags);
    }

    [Fact]
    public async Task CheckHealth_AfterACheckOfEachRunner_HealthyWithEachRunnersFigures()
    {
        await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);
        _fixture.Time.Advance(TimeSpan.FromSeconds(42));

        var entry = (await CheckAsync()).Entries[RunnerTokenRefreshHealthChecksBuilderExtensions.DefaultName];

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal("2 runner(s) checked, none failing", entry.Description);
        Assert.Equal(["runner-1", "runner-2"], entry.Data.Keys.Order(StringComparer.Ordinal));
        var runner = Assert.IsType<Dictionary<string, object?>>(entry.Data["runner-1"]);
        Assert.Equal("Healthy", runner["status"]);
        Assert.Equal(42L, runner["seconds_since_last_check"]);
        Assert.Equal(0, runner["consecutive_failures"]);
    }

    [Fact]
    public async Task CheckHealth_LastCheckOlderThan300Seconds_DegradedNamingTheRunnerAndTheAge()
    {
        await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);
        _fixture.Time.Advance(TimeSpan.FromSeconds(301));

        var entry = (await CheckAsync()).Entries[RunnerTokenRefreshHealthChecksBuilderExtensions.DefaultName];

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal("runner-1: last check 301 s ago (limit 300 s); runner-2: last check 301 s ago (limit 300 s)", entry.Description);
    }

    [Fact]
    public async Task CheckHealth_IntervalLongerThanTheLimit_StaleAfterTwoIntervals()
    {
        _fixture.Configure = o => o.CheckInterval = TimeSpan.FromMinutes(10);
        await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);
        _fixture.Time.Advance(TimeSpan.FromMinutes(15));

        Assert.Equal(HealthStatus.Healthy, (await CheckAsync()).Status);
        _fixture.Time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(HealthStatus.Degraded, (await CheckAsync()).Status);
    }

    [Fact]
    public async Task CheckHealth_ThreeFailedRefreshesInARow_UnhealthyThenHealthyAfterASuccess()
    {
        _fixture.Configure = o => o.MaxRetryAttempts = 1;
        _fixture.SourceSays(ExpiryObservation.Expires("cache", _fixture.Time.GetUtcNow().AddSeconds(-1)));
        _fixture.Reconfigurer.ReconfigureAsync(default!, default!, default!, default).ThrowsAsyncForAnyArgs(new RunnerReconfigurationException("config.sh exited with code 1"));
        var engine = _fixture.CreateSut();
        var statuses = new List<HealthStatus>();
        for (var i = 0; i < 3; i++)
        {
            await engine.RunOnceAsync(CancellationToken.None);
            statuses.Add((await CheckAsync()).Status);
            _fixture.Time.Advance(TimeSpan.FromMinutes(1));
        }

        var failing = (await CheckAsync()).Entries[RunnerTokenRefreshHealthChecksBuilderExtensions.DefaultName];
        _fixture.Reconfigurer.ReconfigureAsync(default!, default!, default!, default).ReturnsForAnyArgs(Task.CompletedTask);
        await engine.RunOnceAsync(CancellationToken.None);

        Assert.Equal([HealthStatus.Healthy, HealthStatus.Healthy, HealthStatus.Unhealthy], statuses);
        Assert.Equal("runner-1: 3 consecutive refresh failures; runner-2: 3 consecutive refresh failures", failing.Description);
        Assert.Equal(3, Assert.IsType<Dictionary<string, object?>>(failing.Data["runner-1"])["consecutive_failures"]);
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync()).Status);
    }

    [Fact]
    public async Task CheckHealth_FailureStatusDegraded_ReportsAFailingRunnerAsDegraded()
    {
        _fixture.ConfigureServices = services => services.AddHealthChecks().AddRunnerTokenRefresh(failureStatus: HealthStatus.Degraded);
        _fixture.Configure = o => o.MaxRetryAttempts = 1;
        _fixture.SourceSays(ExpiryObservation.Expires("cache", _fixture.Time.GetUtcNow().AddSeconds(-1)));
        _fixture.Reconfigurer.ReconfigureAsync(default!, default!, default!, default).ThrowsAsyncForAnyArgs(new RunnerReconfigurationException("config.sh exited with code 1"));
        var engine = _fixture.CreateSut();
        for (var i = 0; i < 3; i++)
        {
            await engine.RunOnceAsync(CancellationToken.None);
            _fixture.Time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(HealthStatus.Degraded, (await CheckAsync()).Status);
    }

    private Task<HealthReport> CheckAsync() => _fixture.Provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
}
