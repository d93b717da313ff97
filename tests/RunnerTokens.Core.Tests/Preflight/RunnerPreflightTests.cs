using Microsoft.Extensions.DependencyInjection;
using NSubstitute;
using RunnerTokens.Tests.Refresh;

namespace RunnerTokens.Tests.Preflight;

public sealed class RunnerPreflightTests : IDisposable
{
    private readonly EngineFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    private IRunnerPreflight CreateSut()
    {
        _fixture.IncludeFileSource = true;

        // Not the engine: it refuses settings the validator refuses, and the checklist must still show them.
        try
        {
            _fixture.CreateSut();
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException)
        {
        }

        return _fixture.Provider.GetRequiredService<IRunnerPreflight>();
    }

    [Fact]
    public async Task RunAsync_RegisteredRunner_ListsEveryCheckPassed()
    {
        var report = Assert.Single(await CreateSut().RunAsync(CancellationToken.None));

        Assert.Equal("runner-1", report.RunnerName);
        Assert.Equal(_fixture.Runners[0].Path, report.Directory);
        Assert.True(report.Passed);
        Assert.False(report.BlocksRefresh);
        Assert.Collection(
            report.Results,
            r => Assert.Equal(("name and URL match .runner", PreflightStatus.Ok, "'runner-1' at https://github.com/acme"), (r.Title, r.Status, r.Detail)),
            r => Assert.Equal(("state folder is writable", PreflightStatus.Ok), (r.Title, r.Status)),
            r => Assert.Equal(("metrics file folder is writable", PreflightStatus.Ok), (r.Title, r.Status)));
    }

    [Fact]
    public async Task RunAsync_NameDiffersFromDotRunner_FailsAndBlocksAndSaysRename()
    {
        _fixture.Configure = o => o.Runners[0].Name = "other-name";

        var report = Assert.Single(await CreateSut().RunAsync(CancellationToken.None));

        Assert.Equal("other-name", report.RunnerName);
        Assert.False(report.Passed);
        Assert.True(report.BlocksRefresh);
        var failed = Assert.Single(report.Results);
        Assert.Equal(PreflightStatus.Failed, failed.Status);
        Assert.Contains("registered as 'runner-1'", failed.Detail, StringComparison.Ordinal);
        Assert.Contains("--rename", failed.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_OneRunnerBroken_StillChecksTheOther()
    {
        _fixture.Runners.Add(new RunnerDirectory(name: "runner-2"));
        _fixture.Configure = o => o.Runners[0].Directory = Path.Combine(_fixture.Runners[0].Root, "missing");

        var reports = await CreateSut().RunAsync(CancellationToken.None);

        Assert.Equal(2, reports.Count);
        Assert.Contains("does not exist", Assert.Single(reports[0].Results).Detail, StringComparison.Ordinal);
        Assert.True(reports[1].Passed);
    }

    [Fact]
    public async Task RunAsync_StateFolderBlockedByAFile_FailsAndBlocksRefresh()
    {
        var blocker = Path.Combine(_fixture.Runners[0].Root, "state");
        File.WriteAllText(blocker, "not a folder");
        _fixture.Configure = o => o.Runners[0].StateDirectory = Path.Combine(blocker, "runner-1");

        var report = Assert.Single(await CreateSut().RunAsync(CancellationToken.None));

        var state = Assert.Single(report.Results, r => r.Title == "state folder is writable");
        Assert.Equal(PreflightStatus.Failed, state.Status);
        Assert.True(state.BlocksRefresh);
        Assert.Contains(blocker + " is a file", state.Detail, StringComparison.Ordinal);
        Assert.Contains("STATE_DIRECTORY", state.Remedy, StringComparison.Ordinal);
        Assert.True(report.BlocksRefresh);
    }

    [Fact]
    public async Task RunAsync_MetricsFolderReadOnly_FailsWithoutBlockingRefresh()
    {
        if (Environment.IsPrivilegedProcess)
        {
            // root writes into a read-only folder; the file-in-the-way case above covers the failure path as root.
            var blocker = Path.Combine(_fixture.Runners[0].Root, "metrics-dir");
            File.WriteAllText(blocker, string.Empty);
            _fixture.Configure = o => o.Runners[0].MetricsFile = Path.Combine(blocker, "metrics.json");
        }
        else
        {
            var folder = Directory.CreateDirectory(Path.Combine(_fixture.Runners[0].Root, "metrics-dir")).FullName;
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            _fixture.Configure = o => o.Runners[0].MetricsFile = Path.Combine(folder, "metrics.json");
        }

        var report = Assert.Single(await CreateSut().RunAsync(CancellationToken.None));

        var metrics = Assert.Single(report.Results, r => r.Title == "metrics file folder is writable");
        Assert.Equal(PreflightStatus.Failed, metrics.Status);
        Assert.False(metrics.BlocksRefresh);
        Assert.Contains("METRICS_FILE", metrics.Remedy, StringComparison.Ordinal);
        Assert.False(report.Passed);
        Assert.False(report.BlocksRefresh);
    }

    [Fact]
    public async Task RunAsync_PrometheusFileInAWritableFolder_IsALinePassed()
    {
        var folder = Path.Combine(_fixture.Runners[0].Root, "node-exporter");
        _fixture.Configure = o => o.PrometheusFile = Path.Combine(folder, "runners.prom");

        var report = Assert.Single(await CreateSut().RunAsync(CancellationToken.None));

        var line = Assert.Single(report.Results, r => r.Title == "Prometheus file folder is writable");
        Assert.Equal(PreflightStatus.Ok, line.Status);
        Assert.Contains(folder, line.Detail, StringComparison.Ordinal);
        Assert.True(report.Passed);
    }

    [Fact]
    public async Task RunAsync_PrometheusFileNotEndingInProm_FailsItsLineWithoutBlocking()
    {
        _fixture.Configure = o => o.PrometheusFile = "/var/lib/prometheus/node-exporter/runners.txt";

        var report = Assert.Single(await CreateSut().RunAsync(CancellationToken.None));

        var line = Assert.Single(report.Results, r => r.Title == "Prometheus file folder is writable");
        Assert.Equal(PreflightStatus.Failed, line.Status);
        Assert.Contains("PrometheusFile = '/var/lib/prometheus/node-exporter/runners.txt' is not allowed", line.Detail, StringComparison.Ordinal);
        Assert.Contains("PROMETHEUS_FILE", line.Remedy, StringComparison.Ordinal);
        Assert.False(report.BlocksRefresh);
    }

    [Fact]
    public async Task RunAsync_StateFolderNotCreatedYet_PassesAndLeavesNothingBehind()
    {
        var parent = Path.Combine(_fixture.Runners[0].Root, "var-lib");
        Directory.CreateDirectory(parent);
        _fixture.Configure = o => o.Runners[0].StateDirectory = Path.Combine(parent, "runner-token-refresh", "runner-1");

        var report = Assert.Single(await CreateSut().RunAsync(CancellationToken.None));

        Assert.Equal(PreflightStatus.Ok, Assert.Single(report.Results, r => r.Title == "state folder is writable").Status);
        Assert.Empty(Directory.EnumerateFileSystemEntries(parent));
    }

    [Fact]
    public async Task RunAsync_CheckThrows_CannotTellInsteadOfPassing()
    {
        var check = Substitute.For<IRunnerPreflightCheck>();
        check.CheckAsync(default!, default).ReturnsForAnyArgs<ValueTask<IReadOnlyList<PreflightResult>>>(_ => throw new InvalidOperationException("boom"));
        _fixture.Checks.Add(check);

        var report = Assert.Single(await CreateSut().RunAsync(CancellationToken.None));

        var line = Assert.Single(report.Results, r => r.Status == PreflightStatus.Unknown);
        Assert.Contains("boom", line.Detail, StringComparison.Ordinal);
        Assert.True(report.Passed);
    }

    [Fact]
    public async Task RunAsync_CancelledToken_Throws()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => CreateSut().RunAsync(cancelled.Token));
    }

    [Fact]
    public void AddPreflightCheck_Twice_AddsOnce()
    {
        var services = new ServiceCollection();
        services.AddRunnerTokenRefresh().AddPreflightCheck<NoCheck>().AddPreflightCheck<NoCheck>();
        services.AddRunnerTokenRefresh();

        Assert.Single(services, d => d.ImplementationType == typeof(NoCheck));
        Assert.Single(services, d => d.ServiceType == typeof(IRunnerPreflight));
        Assert.Throws<ArgumentNullException>(() => RunnerTokenRefreshServiceCollectionExtensions.AddPreflightCheck<NoCheck>(null!));
    }

    private sealed class NoCheck : IRunnerPreflightCheck
    {
        public bool GuardsRefresh => false;

        public ValueTask<IReadOnlyList<PreflightResult>> CheckAsync(RunnerContext runner, CancellationToken cancellationToken) => new([]);
    }
}
