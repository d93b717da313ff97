using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using RunnerTokens.TestKit;
using RunnerTokens.Tests.Metrics;

namespace RunnerTokens.Tests.Refresh;

/// <summary>
/// A configuration that changes while the engine runs (IOptionsMonitor: a reloaded appsettings.json, the command's
/// SIGHUP): runners added and removed from the next check, a bad change refused without losing the runners.
/// </summary>
public sealed class SettingsReloadTests : IDisposable
{
    private readonly EngineFixture _fixture = new();
    private readonly RunnerDirectory _second = new(name: "build-2");
    private readonly ChangeSource _changes = new();
    private readonly ScopedMeterFactory _meters = new();

    public SettingsReloadTests()
    {
        _fixture.SourceSays(ExpiryObservation.Expires("cache", _fixture.Time.GetUtcNow().AddDays(30)));
        _fixture.ConfigureServices = services => services.AddSingleton<IOptionsChangeTokenSource<RunnerTokenRefreshOptions>>(_changes);
    }

    public void Dispose()
    {
        _fixture.Dispose();
        _second.Dispose();
        _meters.Dispose();
    }

    [Fact]
    public async Task RunnersAddedAndRemoved_CheckedFromTheNextCheck_NamedInTheLog()
    {
        var engine = _fixture.CreateSut();
        Assert.Equal(["runner-1"], await CheckedAsync(engine));

        _fixture.Configure = options => options.Runners.Add(Second());
        _changes.Fire();
        Assert.Equal(["runner-1", "build-2"], await CheckedAsync(engine));

        // Between checks the lock's handles stay open on each runner's state folder; a removed runner's are closed.
        var removedState = Path.GetDirectoryName(_fixture.StateFile())!;
        Assert.Equal(2, OpenHandles.On(removedState));
        _fixture.Configure = options =>
        {
            options.Runners.RemoveAt(0);
            options.Runners.Add(Second());
        };
        _changes.Fire();
        Assert.Equal(["build-2"], await CheckedAsync(engine));
        Assert.Equal(0, OpenHandles.On(removedState));

        Assert.Equal(
            [
                "Settings changed: checking 2 runners from the next check (added: build-2; removed: none)",
                "Settings changed: checking 1 runners from the next check (added: none; removed: runner-1)",
            ],
            _fixture.LogLines.Where(line => line.StartsWith("Settings changed", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task RunnerRemoved_HealthCheckAndMeterForgetIt()
    {
        _fixture.ConfigureServices = services =>
        {
            services.AddSingleton<IOptionsChangeTokenSource<RunnerTokenRefreshOptions>>(_changes);
            services.AddSingleton<IMetricsSink>(new RunnerTokens.Metrics.MeterMetricsSink(_meters));
            services.AddHealthChecks().AddRunnerTokenRefresh();
        };
        _fixture.Configure = options => options.Runners.Add(Second());
        _fixture.SourceSays(ExpiryObservation.Invalid("github", "GitHub no longer lists the runner"));
        _fixture.Reconfigurer.ReconfigureAsync(default!, default!, default!, default).ThrowsAsyncForAnyArgs(new RunnerReconfigurationException("config.sh failed"));
        var engine = _fixture.CreateSut();
        await engine.RunOnceAsync(CancellationToken.None);
        Assert.Equal(["build-2", "runner-1"], FailingGauges());

        _fixture.Configure = options =>
        {
            options.Runners.RemoveAt(0);
            options.Runners.Add(Second());
        };
        _changes.Fire();
        _fixture.Time.Advance(TimeSpan.FromSeconds(301));
        _fixture.SourceSays(ExpiryObservation.Expires("cache", _fixture.Time.GetUtcNow().AddDays(30)));
        await engine.RunOnceAsync(CancellationToken.None);

        var health = (await _fixture.Provider.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries[RunnerTokenRefreshHealthChecksBuilderExtensions.DefaultName];
        Assert.Equal(HealthStatus.Healthy, health.Status);
        Assert.Equal("1 runner(s) checked, none failing", health.Description);
        Assert.Equal(["build-2"], health.Data.Keys);
        Assert.Equal(["build-2"], FailingGauges());
    }

    [Fact]
    public async Task ChangeFailsValidation_RunnersCheckedAsBefore_OneErrorNamingTheSetting()
    {
        var engine = _fixture.CreateSut();
        await CheckedAsync(engine);

        _fixture.Configure = options =>
        {
            options.Runners.Add(Second());
            options.RefreshThreshold = TimeSpan.FromHours(2);
        };
        _changes.Fire();
        var first = await CheckedAsync(engine);
        var second = await CheckedAsync(engine);

        Assert.Equal(["runner-1"], first);
        Assert.Equal(["runner-1"], second);
        var refused = Assert.Single(_fixture.Logs.GetSnapshot(), r => r.Id.Id == 137);
        Assert.Equal(LogLevel.Error, refused.Level);
        Assert.Contains("the 1 runners are checked as before", refused.Message, StringComparison.Ordinal);
        Assert.Contains("RefreshThreshold = 02:00:00", refused.Message, StringComparison.Ordinal);

        // Mended: taken at the next check, with the runner the refused change also had.
        _fixture.Configure = options => options.Runners.Add(Second());
        _changes.Fire();
        Assert.Equal(["runner-1", "build-2"], await CheckedAsync(engine));
    }

    [Fact]
    public async Task ChangedRunnerFolderIsGone_RunnersCheckedAsBefore()
    {
        var engine = _fixture.CreateSut();
        await CheckedAsync(engine);

        _fixture.Configure = options => options.Runners.Add(new RunnerOptions { Directory = Path.Combine(_second.Root, "missing"), Name = "ghost", Organization = "acme" });
        _changes.Fire();

        Assert.Equal(["runner-1"], await CheckedAsync(engine));
        Assert.Contains(_fixture.LogLines, line => line.Contains("checked as before", StringComparison.Ordinal) && line.Contains("does not exist", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Daemon_IntervalChanged_NextWaitUsesIt()
    {
        _fixture.Configure = options => options.CheckInterval = TimeSpan.FromHours(1);
        _fixture.CreateSut();
        var daemon = Assert.IsAssignableFrom<BackgroundService>(Assert.Single(_fixture.Provider.GetServices<IHostedService>()));
        await daemon.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => _fixture.Source.ReceivedCalls().Count() == 1);

        // Changed once the daemon waits (its wait is the only timer on the clock): a wait that began after the change
        // would rightly take the new interval.
        await WaitUntilAsync(() => _fixture.Time.TimersCreated >= 1);
        _fixture.Configure = options => options.CheckInterval = TimeSpan.FromSeconds(10);
        _changes.Fire();

        // The wait in progress keeps the hour it began with; from the next one on, 10 s. The clock moves in steps until
        // the check comes, and how far it moved is what is checked.
        var first = await AdvanceUntilAsync(() => _fixture.Source.ReceivedCalls().Count() == 2, TimeSpan.FromSeconds(10));
        var second = await AdvanceUntilAsync(() => _fixture.Source.ReceivedCalls().Count() == 3, TimeSpan.FromSeconds(1));
        await daemon.StopAsync(CancellationToken.None);

        Assert.InRange(first, TimeSpan.FromHours(1), TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        Assert.InRange(second, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1));
        Assert.Equal(3, _fixture.Source.ReceivedCalls().Count());
    }

    /// <summary>
    /// The runners the consecutive-failures gauge of this test's sink reports, as a listener (OpenTelemetry) reads them:
    /// its own meters only, as other tests run beside it.
    /// </summary>
    private List<string> FailingGauges()
    {
        var runners = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == _meters && instrument.Name == RunnerTokenRefreshTelemetry.ConsecutiveFailuresInstrument)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == RunnerTokenRefreshTelemetry.RunnerNameTag)
                {
                    runners.Add((string)tag.Value!);
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return [.. runners.Order(StringComparer.Ordinal)];
    }

    private RunnerOptions Second() => new() { Directory = _second.Path, Organization = "acme", MetricsFile = Path.Combine(_second.Root, "metrics.json") };

    private static async Task<List<string>> CheckedAsync(IRunnerTokenRefresher engine) =>
        [.. (await engine.RunOnceAsync(CancellationToken.None)).Select(r => r.RunnerName)];

    /// <summary>Moves the fake clock by <paramref name="step"/> until <paramref name="condition"/> holds; how far it moved.</summary>
    private async Task<TimeSpan> AdvanceUntilAsync(Func<bool> condition, TimeSpan step)
    {
        var from = _fixture.Time.GetUtcNow();
        for (var i = 0; i < 2_000 && !condition(); i++)
        {
            _fixture.Time.Advance(step);
            await Task.Delay(5);
        }

        Assert.True(condition());
        return _fixture.Time.GetUtcNow() - from;
    }

    private static async Task WaitUntilAsync(Func<bool> condition) => Assert.True(await Poll.UntilAsync(condition));

    /// <summary>What a reloaded configuration does to the options monitor.</summary>
    private sealed class ChangeSource : IOptionsChangeTokenSource<RunnerTokenRefreshOptions>
    {
        private CancellationTokenSource _source = new();

        public string? Name => Microsoft.Extensions.Options.Options.DefaultName;

        public IChangeToken GetChangeToken() => new CancellationChangeToken(_source.Token);

        public void Fire()
        {
            var fired = _source;
            _source = new CancellationTokenSource();
            try
            {
                fired.Cancel();
            }
            catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
            {
                // The monitor validates as it hears of the change; the engine reports it at its next check.
            }
        }
    }
}
