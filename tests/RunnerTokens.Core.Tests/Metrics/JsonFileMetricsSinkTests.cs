using System.IO.Abstractions;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using RunnerTokens.Metrics;
using RunnerTokens.TestKit;

namespace RunnerTokens.Tests.Metrics;

public sealed class JsonFileMetricsSinkTests : IDisposable
{
    private static readonly DateTimeOffset _t0 = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _temp = new("metrics");
    private readonly FakeLogger<JsonFileMetricsSink> _logger = new();

    public void Dispose() => _temp.Dispose();

    private string MetricsPath => _temp.Combine("var", "runner-token-metrics.json");

    private string SparePath => _temp.Combine("var", ".runner-token-metrics.json.spare");

    [Fact]
    public async Task RecordCheckAsync_NewFile_HasExactlyTheSeedsFields()
    {
        await CreateSut().RecordCheckAsync(Runner(), _t0, CancellationToken.None);

        using var json = Read();
        Assert.Equal(
            ["consecutive_failures", "failed_refreshes", "last_check_timestamp", "last_refresh_timestamp", "runner_name", "runner_org", "total_refreshes"],
            json.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(_t0.ToUnixTimeSeconds(), json.RootElement.GetProperty("last_check_timestamp").GetInt64());
        Assert.Equal("acme", json.RootElement.GetProperty("runner_org").GetString());
        Assert.Equal("runner-1", json.RootElement.GetProperty("runner_name").GetString());
    }

    [Fact]
    public async Task Records_CountRefreshesAndFailures()
    {
        var sut = CreateSut();

        await sut.RecordRefreshFailedAsync(Runner(), _t0, 1, CancellationToken.None);
        await sut.RecordRefreshFailedAsync(Runner(), _t0.AddMinutes(1), 2, CancellationToken.None);
        using (var failed = Read())
        {
            Assert.Equal(2, failed.RootElement.GetProperty("failed_refreshes").GetInt64());
            Assert.Equal(2, failed.RootElement.GetProperty("consecutive_failures").GetInt32());
            Assert.Equal(0, failed.RootElement.GetProperty("total_refreshes").GetInt64());
        }

        await sut.RecordRefreshSucceededAsync(Runner(), _t0.AddMinutes(2), CancellationToken.None);
        using var succeeded = Read();
        Assert.Equal(1, succeeded.RootElement.GetProperty("total_refreshes").GetInt64());
        Assert.Equal(0, succeeded.RootElement.GetProperty("consecutive_failures").GetInt32());
        Assert.Equal(2, succeeded.RootElement.GetProperty("failed_refreshes").GetInt64());
        Assert.Equal(_t0.AddMinutes(2).ToUnixTimeSeconds(), succeeded.RootElement.GetProperty("last_refresh_timestamp").GetInt64());
    }

    [Fact]
    public async Task Records_SurviveARestart()
    {
        await CreateSut().RecordRefreshSucceededAsync(Runner(), _t0, CancellationToken.None);

        await CreateSut().RecordRefreshSucceededAsync(Runner(), _t0.AddHours(1), CancellationToken.None);

        using var json = Read();
        Assert.Equal(2, json.RootElement.GetProperty("total_refreshes").GetInt64());
    }

    [Fact]
    public async Task Records_LeaveNoTemporaryFileAndAreReadableByMonitoring()
    {
        var sut = CreateSut();
        for (var i = 0; i < 5; i++)
        {
            await sut.RecordCheckAsync(Runner(), _t0.AddMinutes(i), CancellationToken.None);
        }

        // The file and its spare (the file as it was a write before, which the next write reuses): no temporary file.
        Assert.Equal([SparePath, MetricsPath], Directory.GetFiles(Path.GetDirectoryName(MetricsPath)!).Order());
        Assert.True(File.GetUnixFileMode(MetricsPath).HasFlag(UnixFileMode.OtherRead));
        Assert.False(File.GetUnixFileMode(MetricsPath).HasFlag(UnixFileMode.OtherWrite));
    }

    [Fact]
    public async Task Records_CounterChange_IsFlushedToDiskBeforeTheRename()
    {
        var fileSystem = new FlushRecordingFileSystem();
        var sut = new JsonFileMetricsSink(fileSystem, _logger);
        await sut.RecordCheckAsync(Runner(), _t0, CancellationToken.None);
        fileSystem.FlushedFiles.Clear();

        await sut.RecordRefreshSucceededAsync(Runner(), _t0.AddMinutes(1), CancellationToken.None);
        await sut.RecordRefreshFailedAsync(Runner(), _t0.AddMinutes(2), 1, CancellationToken.None);

        Assert.Equal([true, true], fileSystem.Flushes);
        using var json = Read();
        Assert.Equal(1, json.RootElement.GetProperty("total_refreshes").GetInt64());
        Assert.Equal(1, json.RootElement.GetProperty("failed_refreshes").GetInt64());
    }

    [Fact]
    public async Task RecordCheckAsync_OnlyTheTimestampChanges_WritesAtomicallyWithoutFlushingToDisk()
    {
        var fileSystem = new FlushRecordingFileSystem();
        var sut = new JsonFileMetricsSink(fileSystem, _logger);
        await sut.RecordCheckAsync(Runner(), _t0, CancellationToken.None);
        await sut.RecordRefreshSucceededAsync(Runner(), _t0, CancellationToken.None);
        fileSystem.FlushedFiles.Clear();

        await sut.RecordCheckAsync(Runner(), NextSlot(_t0), CancellationToken.None);
        await sut.RecordCheckAsync(Runner(), NextSlot(NextSlot(_t0)), CancellationToken.None);
        await sut.RecordCheckAsync(Runner(), NextSlot(NextSlot(NextSlot(_t0))), CancellationToken.None);

        // Written atomically (no leftover but a spare), and flushed to disk once: the first write's spare is new (the
        // spare before it holds the counts before the counter's write), and may stand in for the file after a crash;
        // the second takes the file the counter made, padded to the same length. The counters are unchanged.
        Assert.Equal([true, false, false], fileSystem.Flushes);
        Assert.Equal([SparePath, MetricsPath], Directory.GetFiles(Path.GetDirectoryName(MetricsPath)!).Order());
        using var json = Read();
        Assert.Equal(NextSlot(NextSlot(NextSlot(_t0))).ToUnixTimeSeconds(), json.RootElement.GetProperty("last_check_timestamp").GetInt64());
        Assert.Equal(1, json.RootElement.GetProperty("total_refreshes").GetInt64());
    }

    [Fact]
    public async Task RecordCheckAsync_TimestampAlone_FillsWholeBlocksThatEveryReaderStillReads()
    {
        var sut = CreateSut();
        await sut.RecordRefreshSucceededAsync(Runner(), _t0, CancellationToken.None);
        await sut.RecordCheckAsync(Runner(), NextSlot(_t0), CancellationToken.None);

        // Whole 4 KiB blocks (written in place, nothing is read back from disk first): the document, then spaces and a
        // line end, which JSON readers (the health check, the next process) take as the same document.
        var bytes = File.ReadAllBytes(MetricsPath);
        Assert.Equal(4096, bytes.Length);
        Assert.Equal((byte)'\n', bytes[^1]);
        var text = Encoding.UTF8.GetString(bytes);
        Assert.Equal(text.TrimEnd().Length, text.IndexOf('}', StringComparison.Ordinal) + 1);
        Assert.Equal(RefreshHealthStatus.Ok, RefreshHealth.Evaluate(MetricsPath, NextSlot(_t0).AddMinutes(1)).Status);

        // The next process reads it and counts on.
        await CreateSut().RecordRefreshSucceededAsync(Runner(), NextSlot(_t0).AddMinutes(1), CancellationToken.None);
        using var json = Read();
        Assert.Equal(2, json.RootElement.GetProperty("total_refreshes").GetInt64());
        Assert.Equal(NextSlot(_t0).ToUnixTimeSeconds(), json.RootElement.GetProperty("last_check_timestamp").GetInt64());
    }

    [Fact]
    public async Task RecordCheckAsync_FirstWriteOrSameSecond_FlushedOnceThenNotWrittenAgain()
    {
        var fileSystem = new FlushRecordingFileSystem();
        var sut = new JsonFileMetricsSink(fileSystem, _logger);

        await sut.RecordCheckAsync(Runner(), _t0, CancellationToken.None);
        await sut.RecordCheckAsync(Runner(), _t0.AddMilliseconds(500), CancellationToken.None);

        // A new file is durable (it names the runner); a check in the same second changes nothing and writes nothing.
        Assert.Equal([true], fileSystem.Flushes);
    }

    [Fact]
    public async Task RecordCheckAsync_WithinTheFilesSlot_FileLeftAloneThenWritten()
    {
        var sut = CreateSut();
        await sut.RecordCheckAsync(Runner(), _t0, CancellationToken.None);
        var next = NextSlot(_t0);
        Assert.InRange(next - _t0, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(JsonFileMetricsSink.CheckTimestampSlot));

        // A daemon checking every few seconds: the time stamp moves once in each of the file's slots.
        await sut.RecordCheckAsync(Runner(), next.AddSeconds(-1), CancellationToken.None);
        using (var json = Read())
        {
            Assert.Equal(_t0.ToUnixTimeSeconds(), json.RootElement.GetProperty("last_check_timestamp").GetInt64());
        }

        await sut.RecordCheckAsync(Runner(), next, CancellationToken.None);
        using (var json = Read())
        {
            Assert.Equal(next.ToUnixTimeSeconds(), json.RootElement.GetProperty("last_check_timestamp").GetInt64());
        }
    }

    [Fact]
    public async Task RecordCheckAsync_FileDeletedWithinItsSlot_WrittenAgainInTheNextSlot()
    {
        var sut = CreateSut();
        await sut.RecordCheckAsync(Runner(), _t0, CancellationToken.None);
        File.Delete(MetricsPath);
        var next = NextSlot(_t0);

        // Within the slot a check does not even look at the file (no stat per runner per check)...
        await sut.RecordCheckAsync(Runner(), next.AddSeconds(-1), CancellationToken.None);
        Assert.False(File.Exists(MetricsPath));

        // ...and the first check in the next slot writes the file again, whole.
        await sut.RecordCheckAsync(Runner(), next, CancellationToken.None);
        using var json = Read();
        Assert.Equal(next.ToUnixTimeSeconds(), json.RootElement.GetProperty("last_check_timestamp").GetInt64());
        Assert.Equal("runner-1", json.RootElement.GetProperty("runner_name").GetString());
    }

    [Fact]
    public async Task RecordCheckAsync_ManyRunnersEveryMinute_EachFileEveryThirdCheckAShareOfThemAtEach()
    {
        // A daemon of 60 runners at the default interval: no check rewrites every runner's file (a third of them on
        // average), each file is written once in every three checks, and no time stamp in a file is ever more than a
        // slot (180 s) behind its runner's last check.
        const int Runners = 60;
        var sut = CreateSut();
        var runners = Enumerable.Range(0, Runners)
            .Select(i => new RunnerContext($"runner-{i}", _temp.Path, "https://github.com/acme", _temp.Combine("state")) { MetricsFile = _temp.Combine("fleet", $"runner-{i}.json") })
            .ToList();
        var written = new List<bool[]>();
        for (var check = 0; check < 10; check++)
        {
            var at = _t0.AddMinutes(check);
            var before = runners.Select(r => File.Exists(r.MetricsFile) ? File.ReadAllText(r.MetricsFile!) : null).ToList();
            foreach (var runner in runners)
            {
                await sut.RecordCheckAsync(runner, at, CancellationToken.None);
            }

            written.Add([.. runners.Select((r, i) => File.ReadAllText(r.MetricsFile!) != before[i])]);
            foreach (var runner in runners)
            {
                using var json = JsonDocument.Parse(File.ReadAllText(runner.MetricsFile!));
                Assert.InRange(at.ToUnixTimeSeconds() - json.RootElement.GetProperty("last_check_timestamp").GetInt64(), 0, JsonFileMetricsSink.CheckTimestampSlot);
            }
        }

        Assert.All(written[0], Assert.True);
        var counts = written.Skip(1).Select(w => w.Count(x => x)).ToList();
        Assert.All(counts, count => Assert.InRange(count, 1, Runners * 2 / 3));
        for (var check = 1; check + 2 < written.Count; check++)
        {
            for (var i = 0; i < Runners; i++)
            {
                Assert.Equal(1, written.Skip(check).Take(3).Count(w => w[i]));
            }
        }
    }

    [Fact]
    public async Task RecordCheckAsync_RunnerRenamedWithinTheSlot_NewNameWrittenAtOnce()
    {
        var sut = CreateSut();
        await sut.RecordCheckAsync(Runner(), _t0, CancellationToken.None);

        var renamed = new RunnerContext("runner-2", _temp.Path, "https://github.com/acme", _temp.Combine("state")) { MetricsFile = MetricsPath };
        await sut.RecordCheckAsync(renamed, _t0.AddSeconds(1), CancellationToken.None);

        using var json = Read();
        Assert.Equal("runner-2", json.RootElement.GetProperty("runner_name").GetString());
    }

    [Fact]
    public async Task Records_FileReplacedByAnotherProcessSinceOurWrite_ItsCountersKept()
    {
        var sut = CreateSut();
        await sut.RecordRefreshSucceededAsync(Runner(), _t0, CancellationToken.None);

        // A timer run (another process) refreshed meanwhile and wrote its own counts.
        var other = _temp.Combine("var", "other.json");
        File.WriteAllText(other, "{\"total_refreshes\": 7, \"failed_refreshes\": 2, \"last_check_timestamp\": 1}");
        File.Move(other, MetricsPath, overwrite: true);
        await sut.RecordRefreshSucceededAsync(Runner(), _t0.AddMinutes(1), CancellationToken.None);

        using var json = Read();
        Assert.Equal(8, json.RootElement.GetProperty("total_refreshes").GetInt64());
        Assert.Equal(2, json.RootElement.GetProperty("failed_refreshes").GetInt64());
    }

    [Fact]
    public async Task RecordCheckAsync_CorruptFile_ReplacedDurably()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(MetricsPath)!);
        File.WriteAllText(MetricsPath, "{\"total_refreshes\": ");
        var fileSystem = new FlushRecordingFileSystem();

        await new JsonFileMetricsSink(fileSystem, _logger).RecordCheckAsync(Runner(), _t0, CancellationToken.None);

        Assert.Equal([true], fileSystem.Flushes);
    }

    [Fact]
    public async Task Records_CorruptFile_StartOverAndWarnNamingTheFile()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(MetricsPath)!);
        File.WriteAllText(MetricsPath, "{\"total_refreshes\": ");

        await CreateSut().RecordRefreshSucceededAsync(Runner(), _t0, CancellationToken.None);

        using var json = Read();
        Assert.Equal(1, json.RootElement.GetProperty("total_refreshes").GetInt64());
        Assert.Equal(LogLevel.Warning, _logger.LatestRecord.Level);
        Assert.Contains(MetricsPath, _logger.LatestRecord.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Records_MetricsPathIsAFifo_FailNamingItInsteadOfBlocking()
    {
        Fifo.Make(MetricsPath);

        var error = await Fifo.WithinLimitAsync(() => Assert.ThrowsAsync<IOException>(() => CreateSut().RecordCheckAsync(Runner(), _t0, CancellationToken.None).AsTask()));

        Assert.Contains($"{MetricsPath} is not a regular file (it is a FIFO)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Records_MetricsFileWritableByOthers_RefusedNamingItAndLeftAlone()
    {
        const string Planted = "{\"total_refreshes\": 99, \"last_check_timestamp\": 1}";
        Directory.CreateDirectory(Path.GetDirectoryName(MetricsPath)!);
        File.WriteAllText(MetricsPath, Planted);
        File.SetUnixFileMode(MetricsPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);

        var error = await Assert.ThrowsAsync<IOException>(() => CreateSut().RecordCheckAsync(Runner(), _t0, CancellationToken.None).AsTask());

        Assert.Contains($"{MetricsPath} is writable by users other than its owner", error.Message, StringComparison.Ordinal);
        Assert.Equal(Planted, File.ReadAllText(MetricsPath));
    }

    [Fact]
    public async Task Records_RunnerWithoutMetricsFile_WritesNothing()
    {
        var runner = new RunnerContext("runner-1", _temp.Path, "https://github.com/acme", _temp.Combine("state"));

        await CreateSut().RecordCheckAsync(runner, _t0, CancellationToken.None);

        Assert.Empty(Directory.GetFileSystemEntries(_temp.Path));
    }

    private JsonFileMetricsSink CreateSut() => new(new FileSystem(), _logger);

    private RunnerContext Runner() =>
        new("runner-1", _temp.Path, "https://github.com/acme", _temp.Combine("state")) { MetricsFile = MetricsPath };

    /// <summary>When the metrics file's next time stamp slot after <paramref name="at"/> begins: the first check there writes it.</summary>
    private DateTimeOffset NextSlot(DateTimeOffset at) =>
        DateTimeOffset.FromUnixTimeSeconds(JsonFileMetricsSink.NextSlotStart(MetricsPath, at.ToUnixTimeSeconds()));

    private JsonDocument Read() => JsonDocument.Parse(File.ReadAllText(MetricsPath));
}
