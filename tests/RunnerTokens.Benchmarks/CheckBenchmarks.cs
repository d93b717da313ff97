using System.IO.Abstractions;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using RunnerTokens.Expiry;
using RunnerTokens.Metrics;
using RunnerTokens.Refresh;
using RunnerTokens.State;
using RunnerTokens.TestKit;

namespace RunnerTokens.Benchmarks;

/// <summary>
/// What one check costs when nothing needs doing, which is almost every check: the daemon pays it for every
/// runner every interval. Real files in a temp folder (UTF-8 with BOM, as the runner writes them).
/// </summary>
[MemoryDiagnoser]
public class CheckBenchmarks
{
    private TempDirectory _temp = null!;
    private RunnerContext _runner = null!;
    private RunnerFilesExpirySource _source = null!;
    private JsonFileMetricsSink _sink = null!;
    private ServiceProvider _provider = null!;
    private IRunnerTokenRefresher _refresher = null!;
    private ExpiryObservation[] _observations = null!;

    [Params(1, 10)]
    public int Runners { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _temp = new TempDirectory("bench");
        var fileSystem = new FileSystem();
        var store = new RunnerStateStore(fileSystem);
        var services = new ServiceCollection();
        services.AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>));
        services.AddRunnerTokenRefresh(options =>
        {
            for (var i = 0; i < Runners; i++)
            {
                var directory = _temp.Combine($"runner-{i}");
                Directory.CreateDirectory(directory);
                var bom = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true);
                File.WriteAllText(Path.Combine(directory, ".runner"), $"{{\n  \"agentId\": 7,\n  \"agentName\": \"runner-{i}\",\n  \"poolId\": 1,\n  \"serverUrl\": \"https://pipelines.actions.githubusercontent.com/x/\",\n  \"gitHubUrl\": \"https://github.com/acme\",\n  \"workFolder\": \"_work\"\n}}", bom);
                File.WriteAllText(Path.Combine(directory, ".credentials"), "{\n  \"scheme\": \"OAuth\",\n  \"data\": {\n    \"clientId\": \"6a1b0f0e-94e4-4fd0-9d0c-0b7d2c3c0001\",\n    \"authorizationUrl\": \"https://pipelines.actions.githubusercontent.com/x/_apis/oauth2/token\"\n  }\n}", bom);
                // As an operator configures it: the name comes from .runner.
                var runner = new RunnerOptions { Directory = directory, MetricsFile = _temp.Combine($"metrics-{i}.json") };
                options.Runners.Add(runner);
                store.Write(
                    new RunnerContext($"runner-{i}", directory, "https://github.com/acme", Path.Combine(directory, ".token-refresh")),
                    new RunnerState { RegistrationTokenExpiresAt = DateTimeOffset.UtcNow.AddDays(365) });
            }
        });
        _provider = services.BuildServiceProvider();
        _refresher = _provider.GetRequiredService<IRunnerTokenRefresher>();

        _runner = new RunnerContext("runner-0", _temp.Combine("runner-0"), "https://github.com/acme", _temp.Combine("runner-0", ".token-refresh"))
        {
            MetricsFile = _temp.Combine("metrics-bench.json"),
        };
        _source = new RunnerFilesExpirySource(fileSystem, store);
        _sink = new JsonFileMetricsSink(fileSystem, NullLogger<JsonFileMetricsSink>.Instance);
        _observations = [ExpiryObservation.Expires("runner-files", DateTimeOffset.UtcNow.AddHours(1)), ExpiryObservation.ValidNoExpiry("github")];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _provider.Dispose();
        _temp.Dispose();
    }

    /// <summary>A whole cycle over every runner: observe, decide, record the check (atomic metrics write).</summary>
    [Benchmark]
    public Task<IReadOnlyList<RunnerRefreshResult>> RunOnce() => _refresher.RunOnceAsync(CancellationToken.None);

    /// <summary>Reading .runner, .credentials and the state file of one runner.</summary>
    [Benchmark]
    public ValueTask<ExpiryObservation> ObserveRunnerFiles() => _source.ObserveAsync(_runner, CancellationToken.None);

    /// <summary>The decision alone.</summary>
    [Benchmark]
    public bool Decide() => RefreshDecider.Decide(_observations, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5), RefreshPolicy.Expiry).Refresh;

    /// <summary>One metrics record: read, update, write to a temporary file, fsync, rename.</summary>
    [Benchmark]
    public ValueTask RecordCheck() => _sink.RecordCheckAsync(_runner, DateTimeOffset.UtcNow, CancellationToken.None);
}
