using System.IO.Abstractions;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using RunnerTokens.State;
using RunnerTokens.TestKit;

namespace RunnerTokens.Benchmarks;

/// <summary>
/// What one check of every runner costs when nothing needs doing, which is almost every check: the daemon pays it
/// every interval. Real files in a temp folder (UTF-8 with BOM, as the runner writes them); the clock moves on a
/// minute per check, as the daemon's does, so each check's metrics write has a new time stamp to write.
/// </summary>
[MemoryDiagnoser]
public class CheckBenchmarks
{
    private TempDirectory _temp = null!;
    private ServiceProvider _provider = null!;
    private IRunnerTokenRefresher _refresher = null!;
    private FakeTimeProvider _clock = null!;

    [Params(1, 1000)]
    public int Runners { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _temp = new TempDirectory("bench");
        _clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new RunnerStateStore(new FileSystem());
        var services = new ServiceCollection();
        services.AddSingleton<Microsoft.Extensions.Logging.ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>));
        services.AddSingleton<TimeProvider>(_clock);
        services.AddRunnerTokenRefresh(options =>
        {
            for (var i = 0; i < Runners; i++)
            {
                var directory = BenchmarkRunners.Create(_temp, i);

                // As an operator configures it: the name comes from .runner.
                options.Runners.Add(new RunnerOptions { Directory = directory, MetricsFile = _temp.Combine($"metrics-{i}.json") });
                store.Write(BenchmarkRunners.Context(_temp, i), new RunnerState { RegistrationTokenExpiresAt = _clock.GetUtcNow().AddDays(365) });
            }
        });
        _provider = services.BuildServiceProvider();
        _refresher = _provider.GetRequiredService<IRunnerTokenRefresher>();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _provider.Dispose();
        _temp.Dispose();
    }

    /// <summary>A whole check of every runner: lock, observe, decide, record the check (the metrics file), keep the registration record.</summary>
    [Benchmark]
    public Task<IReadOnlyList<RunnerRefreshResult>> RunOnce()
    {
        _clock.Advance(TimeSpan.FromMinutes(1));
        return _refresher.RunOnceAsync(CancellationToken.None);
    }
}
