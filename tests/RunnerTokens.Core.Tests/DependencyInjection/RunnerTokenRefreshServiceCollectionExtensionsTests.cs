using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace RunnerTokens.Tests.DependencyInjection;

public sealed class RunnerTokenRefreshServiceCollectionExtensionsTests
{
    [Fact]
    public void AddRunnerTokenRefresh_CalledTwice_AddsNothingTwice()
    {
        var services = new ServiceCollection();

        services.AddRunnerTokenRefresh();
        var count = services.Count;
        services.AddRunnerTokenRefresh();

        // ValidateOnStart registers one more configure action per call, as the framework does for any options.
        Assert.Equal(count, services.Count(d => !d.ServiceType.GenericTypeArguments.Any(t => t.Name == "StartupValidatorOptions")) + 1);
        Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
        Assert.Single(services, d => d.ServiceType == typeof(IExpirySource));
        Assert.Equal(3, services.Count(d => d.ServiceType == typeof(IMetricsSink)));
        Assert.Single(services, d => d.ServiceType == typeof(IRunnerTokenRefresher));
        Assert.Equal(2, services.Count(d => d.ServiceType == typeof(IValidateOptions<RunnerTokenRefreshOptions>)));
    }

    [Fact]
    public void AddRunnerTokenRefresh_ReturnsBuilderOverTheSameServices()
    {
        var services = new ServiceCollection();

        var builder = services.AddRunnerTokenRefresh();

        Assert.Same(services, builder.Services);
    }

    [Fact]
    public void AddExpirySourceAndSink_TwiceEach_AddOnce()
    {
        var builder = new ServiceCollection().AddRunnerTokenRefresh();

        builder.AddExpirySource<TestSource>().AddExpirySource<TestSource>().AddMetricsSink<TestSink>().AddMetricsSink<TestSink>();

        Assert.Equal(2, builder.Services.Count(d => d.ServiceType == typeof(IExpirySource)));
        Assert.Equal(4, builder.Services.Count(d => d.ServiceType == typeof(IMetricsSink)));
    }

    [Fact]
    public void AddRunnerTokenRefresh_ConfigurationSection_BindsOptions()
    {
        using var runner = new RunnerDirectory(registered: false);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RunnerTokens:RefreshThreshold"] = "00:10:00",
            ["RunnerTokens:MaxRetryAttempts"] = "5",
            ["RunnerTokens:Policy"] = "Registration",
            ["RunnerTokens:Runners:0:Name"] = "r1",
            ["RunnerTokens:Runners:0:Url"] = "https://github.com/acme/widgets",
            ["RunnerTokens:Runners:0:Labels:0"] = "gpu",
            ["RunnerTokens:Runners:0:Directory"] = runner.Path,
        }).Build();
        var services = new ServiceCollection();

        services.AddRunnerTokenRefresh(configuration.GetSection("RunnerTokens"));
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptionsMonitor<RunnerTokenRefreshOptions>>().Get(Options.DefaultName);

        Assert.Equal(TimeSpan.FromMinutes(10), options.RefreshThreshold);
        Assert.Equal(5, options.MaxRetryAttempts);
        Assert.Equal(RefreshPolicy.Registration, options.Policy);
        Assert.Equal("https://github.com/acme/widgets", Assert.Single(options.Runners).Url);
        Assert.Equal(["gpu"], options.Runners[0].Labels);
    }

    [Fact]
    public void Extensions_NullArguments_Throw()
    {
        IServiceCollection services = null!;
        Assert.Throws<ArgumentNullException>(() => services.AddRunnerTokenRefresh());
        Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddRunnerTokenRefresh((Action<RunnerTokenRefreshOptions>)null!));
        Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddRunnerTokenRefresh((IConfigurationSection)null!));
        IRunnerTokenRefreshBuilder builder = null!;
        Assert.Throws<ArgumentNullException>(() => builder.AddExpirySource<TestSource>());
        Assert.Throws<ArgumentNullException>(() => builder.AddMetricsSink<TestSink>());
    }

    private sealed class TestSource : IExpirySource
    {
        public ValueTask<ExpiryObservation> ObserveAsync(RunnerContext runner, CancellationToken cancellationToken) =>
            ValueTask.FromResult(ExpiryObservation.ValidNoExpiry("test"));
    }

    private sealed class TestSink : IMetricsSink
    {
        public ValueTask RecordCheckAsync(RunnerContext runner, DateTimeOffset checkedAt, CancellationToken cancellationToken) => default;

        public ValueTask RecordRefreshSucceededAsync(RunnerContext runner, DateTimeOffset refreshedAt, CancellationToken cancellationToken) => default;

        public ValueTask RecordRefreshFailedAsync(RunnerContext runner, DateTimeOffset failedAt, int consecutiveFailures, CancellationToken cancellationToken) => default;
    }
}
