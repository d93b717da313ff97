using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace RunnerTokens.Tests.Refresh;

/// <summary>The engine as AddRunnerTokenRefresh() wires it, with substitutes for the plug points, a fake clock and captured logs.</summary>
internal sealed class EngineFixture : IDisposable
{
    public const string Secret = "AABBCCSECRETREGISTRATIONTOKEN0001";

    private ServiceProvider? _provider;

    public EngineFixture(int runners = 1)
    {
        for (var i = 0; i < runners; i++)
        {
            Runners.Add(new RunnerDirectory(name: $"runner-{i + 1}"));
        }

        Issuer.CreateRegistrationTokenAsync(Arg.Any<RunnerScope>(), Arg.Any<CancellationToken>())
            .Returns(_ => new RegistrationToken(Secret, Time.GetUtcNow().AddHours(1)));
        Reconfigurer.DescribePlanAsync(Arg.Any<RunnerContext>(), Arg.Any<RunnerRegistration>(), Arg.Any<CancellationToken>())
            .Returns(new ValueTask<IReadOnlyList<string>>(["systemctl stop unit", "config.sh remove", "config.sh --unattended", "systemctl start unit"]));
    }

    public List<RunnerDirectory> Runners { get; } = [];

    public CountingTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    public FakeLogCollector Logs { get; } = new();

    public ITokenIssuer Issuer { get; } = Substitute.For<ITokenIssuer>();

    public IRunnerReconfigurer Reconfigurer { get; } = Substitute.For<IRunnerReconfigurer>();

    public IExpirySource Source { get; } = Substitute.For<IExpirySource>();

    public IMetricsSink Sink { get; } = Substitute.For<IMetricsSink>();

    public List<IRunnerBusyProbe> BusyProbes { get; } = [];

    public List<IRefreshRecovery> Recoveries { get; } = [];

    public List<IRunnerRegistrationSource> RegistrationSources { get; } = [];

    public List<IExpirySource> ExtraSources { get; } = [];

    public List<IRunnerPreflightCheck> Checks { get; } = [];

    public bool IncludeFileSource { get; set; }

    /// <summary>Gets or sets a value indicating whether <see cref="Issuer"/> is registered (a host that forgot AddGitHub() has none).</summary>
    public bool IncludeIssuer { get; set; } = true;

    public Action<RunnerTokenRefreshOptions>? Configure { get; set; }

    /// <summary>Gets or sets what a test adds to the services last, after the substitutes.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; set; }

    public RunnerTokenRefreshOptions Options { get; private set; } = new();

    /// <summary>Makes the substitute source answer <paramref name="observation"/> for every runner.</summary>
    public EngineFixture SourceSays(ExpiryObservation observation)
    {
        Source.ObserveAsync(Arg.Any<RunnerContext>(), Arg.Any<CancellationToken>()).Returns(observation);
        return this;
    }

    public string StateFile(int runner = 0) => Path.Combine(Runners[runner].Path, ".token-refresh", "state.json");

    public string RecordFile(int runner = 0) => Path.Combine(Runners[runner].Path, ".token-refresh", "registration.json");

    public string MetricsFile(int runner = 0) => Path.Combine(Runners[runner].Root, "metrics.json");

    /// <summary>Builds the engine; a second call builds a new one over the same files, as a restart does.</summary>
    public IRunnerTokenRefresher CreateSut()
    {
        _provider?.Dispose();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(new FakeLoggerProvider(Logs)).SetMinimumLevel(LogLevel.Trace));
        services.AddSingleton<TimeProvider>(Time);
        services.AddRunnerTokenRefresh(options =>
        {
            for (var i = 0; i < Runners.Count; i++)
            {
                // As an operator configures it: the name comes from the runner's .runner when it has one.
                var runner = new RunnerOptions
                {
                    Name = Runners[i].Registered ? null : Runners[i].Name,
                    Directory = Runners[i].Path,
                    Organization = "acme",
                    MetricsFile = MetricsFile(i),
                };
                options.Runners.Add(runner);
            }

            options.RetryBackoff = TimeSpan.Zero;
            Configure?.Invoke(options);
            Options = options;
        });
        if (!IncludeFileSource)
        {
            services.RemoveAll<IExpirySource>();
            services.RemoveAll<IMetricsSink>();
        }

        services.AddSingleton(Source);
        services.AddSingleton(Sink);
        if (IncludeIssuer)
        {
            services.AddSingleton(Issuer);
        }

        services.AddSingleton(Reconfigurer);
        foreach (var probe in BusyProbes)
        {
            services.AddSingleton(probe);
        }

        foreach (var source in ExtraSources)
        {
            services.AddSingleton(source);
        }

        foreach (var recovery in Recoveries)
        {
            services.AddSingleton(recovery);
        }

        foreach (var source in RegistrationSources)
        {
            services.AddSingleton(source);
        }

        foreach (var check in Checks)
        {
            services.AddSingleton(check);
        }

        ConfigureServices?.Invoke(services);
        _provider = services.BuildServiceProvider();
        return _provider.GetRequiredService<IRunnerTokenRefresher>();
    }

    public IServiceProvider Provider => _provider ?? throw new InvalidOperationException("Call CreateSut() first.");

    public IEnumerable<string> LogLines => Logs.GetSnapshot().Select(r => r.Message);

    public void Dispose()
    {
        _provider?.Dispose();
        foreach (var runner in Runners)
        {
            runner.Dispose();
        }
    }
}

/// <summary>A fake clock that counts the timers made on it: a test can wait until the code under test waits on the clock before moving it.</summary>
internal sealed class CountingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private int _timers;

    public int TimersCreated => Volatile.Read(ref _timers);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Interlocked.Increment(ref _timers);
        return base.CreateTimer(callback, state, dueTime, period);
    }
}
