using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using RunnerTokens.Metrics;
using RunnerTokens.TestKit;
using RunnerTokens.TestKit.Prometheus;

namespace RunnerTokens.Tests.Refresh;

/// <summary>The engine and the Prometheus file together: what an operator reads in node_exporter after real checks.</summary>
public sealed class RefreshEnginePrometheusTests : IDisposable
{
    private const string P = PrometheusTextFileSink.Prefix;
    private readonly EngineFixture _fixture = new(runners: 2);
    private readonly TempDirectory _temp = new("engine-prom");

    public RefreshEnginePrometheusTests()
    {
        _fixture.Configure = o => o.PrometheusFile = PromPath;
        _fixture.ConfigureServices = services => services.TryAddEnumerable(ServiceDescriptor.Singleton<IMetricsSink, PrometheusTextFileSink>());

        // Each re-registration takes 42 s on the fake clock.
        _fixture.Reconfigurer.ReconfigureAsync(default!, default!, default!, default).ReturnsForAnyArgs(_ =>
        {
            _fixture.Time.Advance(TimeSpan.FromSeconds(42));
            return Task.CompletedTask;
        });
    }

    private string PromPath => _temp.Combine("node-exporter", "runner-token-refresh.prom");

    private DateTimeOffset Now => _fixture.Time.GetUtcNow();

    public void Dispose()
    {
        _fixture.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task RunOnceAsync_TwoRunnersRefreshed_OneFileWithBothRunnersCountsExpiryAndDuration()
    {
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(100)));

        await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        var text = await File.ReadAllTextAsync(PromPath);
        var families = PrometheusText.Parse(text);
        foreach (var runner in new[] { "runner-1", "runner-2" })
        {
            Assert.Equal(1, families.Value($"{P}checks_total", ("runner", runner)));
            Assert.Equal(1, families.Value($"{P}refreshes_total", ("runner", runner)));
            Assert.Equal(0, families.Value($"{P}failures_total", ("runner", runner)));
            Assert.Equal(0, families.Value($"{P}consecutive_failures", ("runner", runner)));

            // The new registration token's hour, from the check; the 42 s the re-registration took.
            Assert.Equal(3600, families.Value($"{P}seconds_until_expiry", ("runner", runner)));
            Assert.Equal(42, families.Value($"{P}last_refresh_duration_seconds", ("runner", runner)));
        }

        Assert.Equal(Now.ToUnixTimeSeconds(), families.Value($"{P}last_refresh_timestamp_seconds", ("runner", "runner-2")));
        Assert.DoesNotContain(EngineFixture.Secret, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunOnceAsync_RestartedEngine_CountersCarryOn()
    {
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(100)));
        await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);
        _fixture.Time.Advance(TimeSpan.FromMinutes(2));

        // A new engine and sink over the same files, as the next one-shot process.
        await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        var families = PrometheusText.Parse(await File.ReadAllTextAsync(PromPath));
        Assert.Equal(2, families.Value($"{P}checks_total", ("runner", "runner-1")));
        Assert.Equal(2, families.Value($"{P}refreshes_total", ("runner", "runner-2")));
    }

    [Fact]
    public async Task RunOnceAsync_RefreshFails_RaisesFailuresAndConsecutiveFailuresOfThatRunnerOnly()
    {
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(100)));
        _fixture.Reconfigurer.ReconfigureAsync(Arg.Is<RunnerContext>(r => r.Name == "runner-1"), Arg.Any<RunnerRegistration>(), Arg.Any<RegistrationToken>(), Arg.Any<CancellationToken>())
            .ThrowsAsync(new RunnerReconfigurationException("config.sh failed", RefreshFailureKind.Permanent));

        await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);
        await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        var families = PrometheusText.Parse(await File.ReadAllTextAsync(PromPath));
        Assert.Equal(2, families.Value($"{P}failures_total", ("runner", "runner-1")));
        Assert.Equal(2, families.Value($"{P}consecutive_failures", ("runner", "runner-1")));
        Assert.Equal(0, families.Value($"{P}refreshes_total", ("runner", "runner-1")));
        Assert.Equal(0, families.Value($"{P}failures_total", ("runner", "runner-2")));
        Assert.Equal(2, families.Value($"{P}refreshes_total", ("runner", "runner-2")));
    }

    [Fact]
    public async Task RunOnceAsync_NothingDue_ShowsTheSecondsLeftAndNoDuration()
    {
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(1000)));

        await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        var families = PrometheusText.Parse(await File.ReadAllTextAsync(PromPath));
        Assert.Equal(1000, families.Value($"{P}seconds_until_expiry", ("runner", "runner-1")));
        Assert.Null(families.Value($"{P}last_refresh_duration_seconds", ("runner", "runner-1")));
        Assert.Equal(0, families.Value($"{P}refreshes_total", ("runner", "runner-1")));
    }

    [Fact]
    public async Task RunOnceAsync_DryRun_WritesNoFile()
    {
        _fixture.Configure = o =>
        {
            o.PrometheusFile = PromPath;
            o.DryRun = true;
        };
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(100)));

        await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.False(File.Exists(PromPath));
    }

    [Fact]
    public async Task RunOnceAsync_PrometheusFileCannotBeWritten_IsLoggedAndTheCheckStillSucceeds()
    {
        // A file where the folder should be.
        await File.WriteAllTextAsync(_temp.Combine("node-exporter"), "not a folder");
        _fixture.SourceSays(ExpiryObservation.Expires("cache", Now.AddSeconds(1000)));

        var results = await _fixture.CreateSut().RunOnceAsync(CancellationToken.None);

        Assert.All(results, r => Assert.Equal(RefreshOutcome.NotNeeded, r.Outcome));
        Assert.Contains(_fixture.LogLines, l => l.Contains(nameof(PrometheusTextFileSink), StringComparison.Ordinal));
    }
}
