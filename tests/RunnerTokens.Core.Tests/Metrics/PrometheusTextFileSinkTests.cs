using System.IO.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using RunnerTokens.Metrics;
using RunnerTokens.TestKit;
using RunnerTokens.TestKit.Prometheus;

namespace RunnerTokens.Tests.Metrics;

public sealed class PrometheusTextFileSinkTests : IDisposable
{
    private const string P = PrometheusTextFileSink.Prefix;
    private static readonly DateTimeOffset _t0 = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _temp = new("prom");
    private readonly FakeLogger<PrometheusTextFileSink> _logger = new();
    private readonly FakeTimeProvider _time = new(_t0);
    private readonly RunnerContext _one;
    private readonly RunnerContext _two;

    public PrometheusTextFileSinkTests()
    {
        _one = Runner("build-1");
        _two = Runner("build-2");
    }

    public void Dispose() => _temp.Dispose();

    private string PromPath => _temp.Combine("textfile", "runner-token-refresh.prom");

    [Fact]
    public async Task CompleteCheckAsync_TwoRunners_OneFileWithEachFamilyOnceAndBothRunnersSeries()
    {
        using var sut = CreateSut();
        await sut.RecordCheckAsync(_one, _t0, CancellationToken.None);
        await sut.RecordCheckAsync(_two, _t0, CancellationToken.None);
        await sut.RecordRefreshSucceededAsync(_two, _t0, CancellationToken.None);

        await sut.CompleteCheckAsync([_one, _two], CancellationToken.None);

        var families = Read();
        Assert.Equal(
            [$"{P}checks_total", $"{P}refreshes_total", $"{P}failures_total", $"{P}consecutive_failures", $"{P}last_refresh_timestamp_seconds", $"{P}last_check_timestamp_seconds"],
            families.Select(f => f.Name));
        Assert.All(families, f => Assert.False(string.IsNullOrWhiteSpace(f.Help)));
        Assert.All(families.Where(f => f.Name.EndsWith("_total", StringComparison.Ordinal)), f => Assert.Equal("counter", f.Type));
        Assert.All(families.Where(f => !f.Name.EndsWith("_total", StringComparison.Ordinal)), f => Assert.Equal("gauge", f.Type));
        Assert.Equal(1, families.Value($"{P}checks_total", ("runner", "build-1")));
        Assert.Equal(1, families.Value($"{P}checks_total", ("runner", "build-2")));
        Assert.Equal(0, families.Value($"{P}refreshes_total", ("runner", "build-1")));
        Assert.Equal(1, families.Value($"{P}refreshes_total", ("runner", "build-2")));
        Assert.Equal(_t0.ToUnixTimeSeconds(), families.Value($"{P}last_refresh_timestamp_seconds", ("runner", "build-2")));
        Assert.Null(families.Value($"{P}last_refresh_timestamp_seconds", ("runner", "build-1")));
        Assert.Equal(_t0.ToUnixTimeSeconds(), families.Value($"{P}last_check_timestamp_seconds", ("runner", "build-1")));
    }

    [Fact]
    public async Task Counters_CarryAcrossTwoOneShotProcesses()
    {
        // Each one-shot run is a new process: a new sink over the same file.
        foreach (var minute in new[] { 0, 1 })
        {
            using var sut = CreateSut();
            await sut.RecordCheckAsync(_one, _t0.AddMinutes(minute), CancellationToken.None);
            await sut.RecordRefreshFailedAsync(_one, _t0.AddMinutes(minute), minute + 1, CancellationToken.None);
            await sut.CompleteCheckAsync([_one], CancellationToken.None);
        }

        using var third = CreateSut();
        await third.RecordCheckAsync(_one, _t0.AddMinutes(2), CancellationToken.None);
        await third.RecordRefreshSucceededAsync(_one, _t0.AddMinutes(2), CancellationToken.None);
        await third.CompleteCheckAsync([_one], CancellationToken.None);

        var families = Read();
        Assert.Equal(3, families.Value($"{P}checks_total", ("runner", "build-1")));
        Assert.Equal(2, families.Value($"{P}failures_total", ("runner", "build-1")));
        Assert.Equal(1, families.Value($"{P}refreshes_total", ("runner", "build-1")));
        Assert.Equal(0, families.Value($"{P}consecutive_failures", ("runner", "build-1")));
    }

    [Fact]
    public async Task FailedRefresh_RaisesFailuresAndConsecutiveFailures()
    {
        using var sut = CreateSut();
        await sut.RecordCheckAsync(_one, _t0, CancellationToken.None);
        await sut.RecordRefreshFailedAsync(_one, _t0, 1, CancellationToken.None);
        await sut.CompleteCheckAsync([_one], CancellationToken.None);
        await sut.RecordCheckAsync(_one, _t0.AddMinutes(1), CancellationToken.None);
        await sut.RecordRefreshFailedAsync(_one, _t0.AddMinutes(1), 2, CancellationToken.None);

        await sut.CompleteCheckAsync([_one], CancellationToken.None);

        var families = Read();
        Assert.Equal(2, families.Value($"{P}failures_total", ("runner", "build-1")));
        Assert.Equal(2, families.Value($"{P}consecutive_failures", ("runner", "build-1")));
        Assert.Equal(0, families.Value($"{P}refreshes_total", ("runner", "build-1")));
    }

    [Fact]
    public async Task RunnerNotReachedThisCheck_KeepsItsValuesBesideTheOthersWrite()
    {
        using var first = CreateSut();
        await first.RecordCheckAsync(_one, _t0, CancellationToken.None);
        await first.RecordCheckAsync(_two, _t0, CancellationToken.None);
        await first.RecordRefreshFailedAsync(_two, _t0, 1, CancellationToken.None);
        await first.CompleteCheckAsync([_one, _two], CancellationToken.None);

        // The next process reaches build-1 only (build-2's lock was held elsewhere).
        using var second = CreateSut();
        await second.RecordCheckAsync(_one, _t0.AddMinutes(1), CancellationToken.None);
        await second.CompleteCheckAsync([_one, _two], CancellationToken.None);

        var families = Read();
        Assert.Equal(2, families.Value($"{P}checks_total", ("runner", "build-1")));
        Assert.Equal(1, families.Value($"{P}checks_total", ("runner", "build-2")));
        Assert.Equal(1, families.Value($"{P}failures_total", ("runner", "build-2")));
        Assert.Equal(1, families.Value($"{P}consecutive_failures", ("runner", "build-2")));
        Assert.Equal(_t0.ToUnixTimeSeconds(), families.Value($"{P}last_check_timestamp_seconds", ("runner", "build-2")));
    }

    [Fact]
    public async Task RunnerNoLongerConfigured_LeavesTheFile()
    {
        using var sut = CreateSut();
        await sut.RecordCheckAsync(_one, _t0, CancellationToken.None);
        await sut.RecordCheckAsync(_two, _t0, CancellationToken.None);
        await sut.CompleteCheckAsync([_one, _two], CancellationToken.None);

        using var next = CreateSut();
        await next.RecordCheckAsync(_one, _t0.AddMinutes(1), CancellationToken.None);
        await next.CompleteCheckAsync([_one], CancellationToken.None);

        Assert.DoesNotContain(Read().SelectMany(f => f.Samples), s => s.Label("runner") == "build-2");
    }

    [Theory]
    [InlineData("back\\slash")]
    [InlineData("double\"quote")]
    [InlineData("line\nfeed")]
    [InlineData("all \\\" \n\\n of them")]
    [InlineData("ünïcødé-runner")]
    public async Task RunnerName_IsEscapedAsTheFormatWantsAndReadsBackTheSame(string name)
    {
        var runner = Runner(name);
        using var sut = CreateSut();
        await sut.RecordCheckAsync(runner, _t0, CancellationToken.None);
        await sut.RecordCheckAsync(_one, _t0, CancellationToken.None);
        await sut.CompleteCheckAsync([runner, _one], CancellationToken.None);

        // A second process reads the escaped name back as the same runner: its count goes on.
        using var next = CreateSut();
        await next.RecordCheckAsync(runner, _t0.AddMinutes(1), CancellationToken.None);
        await next.CompleteCheckAsync([runner, _one], CancellationToken.None);

        var families = Read();
        Assert.Equal(2, families.Value($"{P}checks_total", ("runner", name)));
        Assert.Equal(1, families.Value($"{P}checks_total", ("runner", "build-1")));
    }

    [Fact]
    public async Task CheckFacts_GiveExpiryDurationAndRateLimit()
    {
        var limits = Substitute.For<IRateLimitSource>();
        limits.GetRateLimits(_one).Returns([new RateLimitStatus("core", 4711), new RateLimitStatus("actions_runner_registration", 9990)]);
        using var sut = CreateSut(limits);
        await sut.RecordCheckAsync(_one, _t0, CancellationToken.None);
        await sut.RecordRefreshSucceededAsync(_one, _t0.AddSeconds(42), CancellationToken.None);
        sut.RecordCheckFacts(_one, new RunnerCheckFacts(_t0, _t0.AddHours(1), TimeSpan.FromSeconds(41.5)));
        await sut.RecordCheckAsync(_two, _t0, CancellationToken.None);
        sut.RecordCheckFacts(_two, new RunnerCheckFacts(_t0, ExpiresAt: null, RefreshDuration: null));

        await sut.CompleteCheckAsync([_one, _two], CancellationToken.None);

        var families = Read();
        Assert.Equal(3600, families.Value($"{P}seconds_until_expiry", ("runner", "build-1")));
        Assert.Null(families.Value($"{P}seconds_until_expiry", ("runner", "build-2")));
        Assert.Equal(41.5, families.Value($"{P}last_refresh_duration_seconds", ("runner", "build-1")));
        Assert.Equal(4711, families.Value($"{P}github_rate_limit_remaining", ("runner", "build-1"), ("resource", "core")));
        Assert.Equal(9990, families.Value($"{P}github_rate_limit_remaining", ("runner", "build-1"), ("resource", "actions_runner_registration")));
        Assert.Equal("gauge", families.Single($"{P}github_rate_limit_remaining").Type);
        Assert.DoesNotContain(families.Single($"{P}github_rate_limit_remaining").Samples, s => s.Label("runner") == "build-2");
    }

    [Fact]
    public async Task ExpiryNoSourceKnowsAnyMore_IsNoLongerShown_WhileDurationAndRateLimitKeepTheirLastValue()
    {
        var limits = Substitute.For<IRateLimitSource>();
        limits.GetRateLimits(_one).Returns([new RateLimitStatus("core", 4711)]);
        using var first = CreateSut(limits);
        await first.RecordCheckAsync(_one, _t0, CancellationToken.None);
        first.RecordCheckFacts(_one, new RunnerCheckFacts(_t0, _t0.AddMinutes(30), TimeSpan.FromSeconds(12)));
        await first.CompleteCheckAsync([_one], CancellationToken.None);

        // The next one-shot made no GitHub call (nothing known of the rate limit) and no source knew the expiry.
        using var second = CreateSut();
        await second.RecordCheckAsync(_one, _t0.AddMinutes(1), CancellationToken.None);
        second.RecordCheckFacts(_one, new RunnerCheckFacts(_t0.AddMinutes(1), ExpiresAt: null, RefreshDuration: null));
        await second.CompleteCheckAsync([_one], CancellationToken.None);

        var families = Read();
        Assert.Null(families.Value($"{P}seconds_until_expiry", ("runner", "build-1")));
        Assert.Equal(12, families.Value($"{P}last_refresh_duration_seconds", ("runner", "build-1")));
        Assert.Equal(4711, families.Value($"{P}github_rate_limit_remaining", ("runner", "build-1"), ("resource", "core")));
    }

    [Fact]
    public async Task RateLimitSourceThrows_IsLoggedAndTheRestIsWritten()
    {
        var limits = Substitute.For<IRateLimitSource>();
        limits.GetRateLimits(Arg.Any<RunnerContext>()).Returns(_ => throw new InvalidOperationException("boom"));
        using var sut = CreateSut(limits);
        await sut.RecordCheckAsync(_one, _t0, CancellationToken.None);

        await sut.CompleteCheckAsync([_one], CancellationToken.None);

        Assert.Equal(1, Read().Value($"{P}checks_total", ("runner", "build-1")));
        Assert.Contains(_logger.Collector.GetSnapshot(), r => r.Message.Contains("boom", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Writes_AreAtomic_AReaderNeverSeesAHalfWrittenFile()
    {
        // arrange: 200 runners, so each file is tens of kilobytes, written 100 times while another thread reads it
        var runners = Enumerable.Range(1, 200).Select(i => Runner($"runner-{i:000}")).ToList();
        using var sut = CreateSut();
        foreach (var runner in runners)
        {
            await sut.RecordCheckAsync(runner, _t0, CancellationToken.None);
        }

        await sut.CompleteCheckAsync(runners, CancellationToken.None);
        using var stop = new CancellationTokenSource();
        var reads = 0;
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var families = PrometheusText.Parse(File.ReadAllText(PromPath));
                Assert.Equal(200, families.Single($"{P}checks_total").Samples.Count);
                Interlocked.Increment(ref reads);
            }
        });

        // act, once the reader reads
        SpinWait.SpinUntil(() => Volatile.Read(ref reads) > 0 || reader.IsCompleted, TimeSpan.FromSeconds(30));
        for (var i = 1; i <= 100; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(PrometheusTextFileSink.CheckStepSeconds));
            foreach (var runner in runners)
            {
                await sut.RecordCheckAsync(runner, _t0.AddSeconds(i), CancellationToken.None);
            }

            await sut.CompleteCheckAsync(runners, CancellationToken.None);
        }

        await stop.CancelAsync();
        await reader;

        // assert: every read parsed whole (the reader would have thrown), and nothing is left beside the file
        Assert.True(reads > 0);
        Assert.Equal(101, Read().Value($"{P}checks_total", ("runner", "runner-200")));
        Assert.Equal([PromPath], Directory.GetFiles(Path.GetDirectoryName(PromPath)!));
    }

    [Fact]
    public async Task SameProcess_OnlyChecksWithin30Seconds_PutsTheWriteOffAndLosesNoCount()
    {
        // arrange: a daemon at a short interval, its first check written
        using var sut = CreateSut();
        await CheckAsync(sut, _one);

        // act: a check 10 s later changes only the check's own values
        _time.Advance(TimeSpan.FromSeconds(10));
        await CheckAsync(sut, _one);
        var putOff = Read().Value($"{P}checks_total", ("runner", "build-1"));
        _time.Advance(TimeSpan.FromSeconds(21));
        await CheckAsync(sut, _one);

        // assert
        Assert.Equal(1, putOff);
        Assert.Equal(3, Read().Value($"{P}checks_total", ("runner", "build-1")));
        Assert.Equal(_t0.AddSeconds(31).ToUnixTimeSeconds(), Read().Value($"{P}last_check_timestamp_seconds", ("runner", "build-1")));
    }

    [Fact]
    public async Task SameProcess_FailureWithin30Seconds_IsWrittenAtOnce()
    {
        using var sut = CreateSut();
        await CheckAsync(sut, _one);
        _time.Advance(TimeSpan.FromSeconds(1));
        await sut.RecordCheckAsync(_one, _time.GetUtcNow(), CancellationToken.None);
        await sut.RecordRefreshFailedAsync(_one, _time.GetUtcNow(), 1, CancellationToken.None);

        await sut.CompleteCheckAsync([_one], CancellationToken.None);

        var families = Read();
        Assert.Equal(1, families.Value($"{P}failures_total", ("runner", "build-1")));
        Assert.Equal(2, families.Value($"{P}checks_total", ("runner", "build-1")));
    }

    [Fact]
    public async Task Dispose_WritesWhatWasPutOff()
    {
        using var sut = CreateSut();
        await CheckAsync(sut, _one);
        _time.Advance(TimeSpan.FromSeconds(5));
        await CheckAsync(sut, _one);
        Assert.Equal(1, Read().Value($"{P}checks_total", ("runner", "build-1")));

        sut.Dispose();

        Assert.Equal(2, Read().Value($"{P}checks_total", ("runner", "build-1")));
    }

    [Fact]
    public async Task File_IsReadableByMonitoringAndWritableByItsOwnerOnly()
    {
        using var sut = CreateSut();
        await sut.RecordCheckAsync(_one, _t0, CancellationToken.None);

        await sut.CompleteCheckAsync([_one], CancellationToken.None);

        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            File.GetUnixFileMode(PromPath));
    }

    [Fact]
    public async Task FileOthersMayWrite_IsNeitherReadNorReplaced()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(PromPath)!);
        await File.WriteAllTextAsync(PromPath, $"{P}checks_total{{runner=\"build-1\"}} 1000000\n");
        File.SetUnixFileMode(PromPath, (UnixFileMode)0b110_110_110);
        using var sut = CreateSut();
        await sut.RecordCheckAsync(_one, _t0, CancellationToken.None);

        var ex = await Assert.ThrowsAsync<IOException>(() => sut.CompleteCheckAsync([_one], CancellationToken.None).AsTask());

        Assert.Contains("writable by users other than its owner", ex.Message, StringComparison.Ordinal);
        Assert.Equal($"{P}checks_total{{runner=\"build-1\"}} 1000000\n", await File.ReadAllTextAsync(PromPath));
    }

    [Fact]
    public async Task CorruptFile_IsLoggedAndItsCountersStartAgainFromZero()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(PromPath)!);
        await File.WriteAllTextAsync(PromPath, "{\"total_refreshes\": 3}\n");
        using var sut = CreateSut();
        await sut.RecordCheckAsync(_one, _t0, CancellationToken.None);

        await sut.CompleteCheckAsync([_one], CancellationToken.None);

        Assert.Equal(1, Read().Value($"{P}checks_total", ("runner", "build-1")));
        Assert.Contains(_logger.Collector.GetSnapshot(), r => r.Message.Contains(PromPath, StringComparison.Ordinal) && r.Message.Contains("start again from zero", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NothingRecorded_WritesNoFile()
    {
        using var sut = CreateSut();

        await sut.CompleteCheckAsync([_one, _two], CancellationToken.None);

        Assert.False(File.Exists(PromPath));
    }

    [Fact]
    public async Task NoPrometheusFileConfigured_WritesNothing()
    {
        using var sut = new PrometheusTextFileSink(Options.Create(new RunnerTokenRefreshOptions()), new FileSystem(), [], _time, _logger);
        await sut.RecordCheckAsync(_one, _t0, CancellationToken.None);

        await sut.CompleteCheckAsync([_one], CancellationToken.None);

        Assert.Empty(Directory.GetFileSystemEntries(_temp.Path));
    }

    [Fact]
    public async Task CompleteCheckAsync_NullRunners_Throws()
    {
        using var sut = CreateSut();

        await Assert.ThrowsAsync<ArgumentNullException>(() => sut.CompleteCheckAsync(null!, CancellationToken.None).AsTask());
    }

    private async Task CheckAsync(PrometheusTextFileSink sut, RunnerContext runner)
    {
        await sut.RecordCheckAsync(runner, _time.GetUtcNow(), CancellationToken.None);
        await sut.CompleteCheckAsync([runner], CancellationToken.None);
    }

    private PrometheusTextFileSink CreateSut(params IRateLimitSource[] rateLimitSources) =>
        new(Options.Create(new RunnerTokenRefreshOptions { PrometheusFile = PromPath }), new FileSystem(), rateLimitSources, _time, _logger);

    private IReadOnlyList<PrometheusFamily> Read() => PrometheusText.Parse(File.ReadAllText(PromPath));

    private RunnerContext Runner(string name) =>
        new(name, _temp.Combine("runners", "r"), "https://github.com/acme", _temp.Combine("state", "s"));
}
