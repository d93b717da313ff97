using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RunnerTokens.Tests.Refresh;

namespace RunnerTokens.Tests.DependencyInjection;

/// <summary>What a service that embeds the engine composes: a runner added by name, the engine without its daemon.</summary>
public sealed class EmbeddingTests : IDisposable
{
    private readonly EngineFixture _fixture = new();
    private readonly RunnerDirectory _second = new(name: "build-2");

    public EmbeddingTests() =>
        _fixture.SourceSays(ExpiryObservation.Expires("cache", _fixture.Time.GetUtcNow().AddDays(30)));

    public void Dispose()
    {
        _fixture.Dispose();
        _second.Dispose();
    }

    [Fact]
    public async Task WithoutDaemon_NoHostedServiceEvenIfAddedAgain_TheEngineStillChecksOnDemand()
    {
        _fixture.ConfigureServices = services =>
        {
            services.AddRunnerTokenRefresh().WithoutDaemon();
            services.AddRunnerTokenRefresh();
        };

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Empty(_fixture.Provider.GetServices<IHostedService>());
        Assert.Equal(["runner-1"], results.Select(r => r.RunnerName));
        Assert.Equal(RefreshOutcome.NotNeeded, results[0].Outcome);
    }

    [Fact]
    public void AddRunnerTokenRefresh_ByDefault_AddsTheDaemon()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRunnerTokenRefresh(options => options.Runners.Add(new RunnerOptions { Directory = _second.Path }));
        using var provider = services.BuildServiceProvider();

        Assert.Single(provider.GetServices<IHostedService>());
    }

    [Fact]
    public async Task AddRunner_BesideTheListedOnes_IsCheckedUnderItsName()
    {
        _fixture.ConfigureServices = services => services.AddRunnerTokenRefresh().AddRunner("build-2", runner =>
        {
            runner.Directory = _second.Path;
            runner.MetricsFile = Path.Combine(_second.Root, "metrics.json");
        });

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.Equal(["runner-1", "build-2"], results.Select(r => r.RunnerName));
        Assert.Equal(["runner-1", "build-2"], _fixture.Provider.GetRequiredService<IOptions<RunnerTokenRefreshOptions>>().Value.Runners.Select(r => r.Name ?? "runner-1"));
    }

    [Fact]
    public void AddRunner_NameNotTheRegisteredOne_RefusedAtStartNamingBoth()
    {
        _fixture.ConfigureServices = services => services.AddRunnerTokenRefresh().AddRunner("build-3", runner => runner.Directory = _second.Path);

        var failure = Assert.Throws<OptionsValidationException>(() => _fixture.CreateSut());

        Assert.Contains("build-3", failure.Message, StringComparison.Ordinal);
        Assert.Contains("build-2", failure.Message, StringComparison.Ordinal);
    }
}
