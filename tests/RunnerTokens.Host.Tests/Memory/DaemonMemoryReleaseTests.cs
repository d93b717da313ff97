using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using RunnerTokens.Host.Memory;
using RunnerTokens.TestKit;

namespace RunnerTokens.Host.Tests.Memory;

/// <summary>
/// The daemon drops, after its first check, the resident pages of the file mappings that it never changed, and
/// collects each later check's garbage when it sleeps long enough. The mapping tests map a file of their own into this
/// process, as the loader maps the binary and its libraries, and look at what /proc/self/smaps and the bytes say after.
/// </summary>
public sealed partial class DaemonMemoryReleaseTests : IDisposable
{
    private const int Length = 1 << 20;
    private const int Page = 4096;
    private const int Read = 1;
    private const int Write = 2;
    private const int Private = 2;

    private readonly TempDirectory _temp = new("memory");
    private readonly byte[] _bytes = new byte[Length];
    private readonly string _file;

    public DaemonMemoryReleaseTests()
    {
        new Random(11).NextBytes(_bytes);
        _file = _temp.Combine("mapped");
        File.WriteAllBytes(_file, _bytes);
    }

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(60, true)]
    [InlineData(10, true)]
    [InlineData(9, false)]
    [InlineData(1, false)]
    public async Task OnCheckCompletedAsync_LaterCheckAtOnce_CollectsTheGarbageOnlyWhenTheNextCheckIsTenSecondsOrMoreAway(int intervalSeconds, bool collects)
    {
        // arrange: the first check has given back start-up's memory
        var logger = new FakeLogger<DaemonMemoryRelease>();
        var sut = Create(intervalSeconds, logger);
        await sut.OnCheckCompletedAsync([], DateTimeOffset.UnixEpoch, CancellationToken.None);
        Assert.Equal([520, 523], logger.Collector.GetSnapshot().Select(r => r.Id.Id));
        var youngCollections = GC.CollectionCount(1);

        // act
        await sut.OnCheckCompletedAsync([], DateTimeOffset.UnixEpoch, CancellationToken.None);

        // assert
        Assert.Equal(collects ? [520, 523, 522] : [520, 523], logger.Collector.GetSnapshot().Select(r => r.Id.Id));
        if (collects)
        {
            Assert.True(GC.CollectionCount(1) > youngCollections);
        }
    }

    [Fact]
    public async Task OnCheckCompletedAsync_ChecksASecondApart_CollectTheWholeHeapOnceFiveSecondsHavePassedSinceTheLastCollection()
    {
        // arrange: the first check, at 0 s, has given back start-up's memory
        var logger = new FakeLogger<DaemonMemoryRelease>();
        var sut = Create(1, logger);
        await sut.OnCheckCompletedAsync([], DateTimeOffset.UnixEpoch, CancellationToken.None);

        // act: a check every second for 25 s
        var collectedAt = await SecondsThatCollectAsync(sut, logger, Enumerable.Range(1, 25));

        // assert: the checks' garbage is collected every five seconds, not at every check, and the whole heap each time
        Assert.Equal([5, 10, 15, 20, 25], collectedAt);
        var generations = logger.Collector.GetSnapshot().Where(r => r.Id.Id == 522).Select(r => r.GetStructuredStateValue("Generation") ?? "none").ToArray();
        Assert.Equal(["2", "2", "2", "2", "2"], generations);
    }

    [Fact]
    public async Task OnCheckCompletedAsync_ClockSetBackAtAShortInterval_CountsTheFiveSecondsFromTheNewTime()
    {
        // arrange: the first check, at 100 s, has given back start-up's memory
        var logger = new FakeLogger<DaemonMemoryRelease>();
        var sut = Create(1, logger);
        await sut.OnCheckCompletedAsync([], DateTimeOffset.UnixEpoch.AddSeconds(100), CancellationToken.None);

        // act: the clock is set back to 0 s, then a check every second
        var collectedAt = await SecondsThatCollectAsync(sut, logger, Enumerable.Range(0, 13));

        // assert: not 105 s without a collection (the 5 s counted from the old time), nor one at every check
        Assert.Equal([5, 10], collectedAt);
    }

    /// <summary>Completes a check at each of <paramref name="seconds"/> (after the Unix epoch); gives those after which a collection was logged (event 522).</summary>
    private static async Task<List<int>> SecondsThatCollectAsync(DaemonMemoryRelease sut, FakeLogger<DaemonMemoryRelease> logger, IEnumerable<int> seconds)
    {
        var collectedAt = new List<int>();
        foreach (var second in seconds)
        {
            var before = logger.Collector.Count;
            await sut.OnCheckCompletedAsync([], DateTimeOffset.UnixEpoch.AddSeconds(second), CancellationToken.None);
            if (logger.Collector.Count > before && logger.Collector.LatestRecord.Id.Id == 522)
            {
                collectedAt.Add(second);
            }
        }

        return collectedAt;
    }

    [Fact]
    public async Task OnCheckCompletedAsync_LaterChecksAtAMinute_CollectTheWholeHeapOnceInEightAndTheYoungerGenerationsOtherwise()
    {
        // arrange: the first check has given back start-up's memory
        var logger = new FakeLogger<DaemonMemoryRelease>();
        var sut = Create(60, logger);
        await sut.OnCheckCompletedAsync([], DateTimeOffset.UnixEpoch, CancellationToken.None);

        // act
        for (var i = 0; i < 2 * DaemonMemoryRelease.FullCollectionEvery; i++)
        {
            await sut.OnCheckCompletedAsync([], DateTimeOffset.UnixEpoch, CancellationToken.None);
        }

        // assert: the generation each collection reached, as its debug line says
        var generations = logger.Collector.GetSnapshot().Where(r => r.Id.Id == 522).Select(r => r.GetStructuredStateValue("Generation") ?? "none").ToArray();
        Assert.Equal(["1", "1", "1", "1", "1", "1", "1", "2", "1", "1", "1", "1", "1", "1", "1", "2"], generations);
    }

    [Theory]
    [InlineData(1024, true)]
    [InlineData(1023, false)]
    public async Task OnCheckCompletedAsync_LaterCheckAfterFilePagesGrew_DropsThemAgainFromAMebibyte(int grownKib, bool drops)
    {
        // arrange: the first check dropped the files' pages, the second mapped back what every check runs (3 MiB, its
        // settled level, never dropped again: the next check would read it back); a later one ran code it had not run
        // before (a question to GitHub), whose pages are mapped back: here a file of this test's, every page read
        long resident = 0;
        var logger = new FakeLogger<DaemonMemoryRelease>();
        var sut = new DaemonMemoryRelease(Options.Create(new RunnerTokenRefreshOptions { CheckInterval = TimeSpan.FromSeconds(60) }), logger, () => resident);
        await sut.OnCheckCompletedAsync([], DateTimeOffset.UnixEpoch, CancellationToken.None);
        resident = 3 << 20;
        await sut.OnCheckCompletedAsync([], DateTimeOffset.UnixEpoch, CancellationToken.None);
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), r => r.Id.Id == 524);
        using var mapping = new Mapping(_file, Read);
        TouchEveryPage(mapping.Address);
        resident += grownKib * 1024L;

        // act
        await sut.OnCheckCompletedAsync([], DateTimeOffset.UnixEpoch, CancellationToken.None);

        // assert: dropped again only from a mebibyte's growth
        Assert.Equal(drops ? 0 : Length / 1024, ResidentKib(mapping.Address));
        Assert.Equal(drops ? 1 : 0, logger.Collector.GetSnapshot().Count(r => r.Id.Id == 524));
        Assert.Equal(_bytes, Copy(mapping.Address));

        // and after a drop, the next check settles anew, whatever it maps back; without one, growth keeps counting
        resident += 2 << 20;
        await sut.OnCheckCompletedAsync([], DateTimeOffset.UnixEpoch, CancellationToken.None);
        Assert.Equal(1, logger.Collector.GetSnapshot().Count(r => r.Id.Id == 524));
    }

    [Fact]
    public void FileResident_ThisProcess_CountsAMappedFilesPagesOnceRead()
    {
        var before = DaemonMemoryRelease.FileResident();
        using var mapping = new Mapping(_file, Read);
        TouchEveryPage(mapping.Address);

        Assert.True(DaemonMemoryRelease.FileResident() - before >= Length / 2, $"{before} then {DaemonMemoryRelease.FileResident()} bytes");
    }

    [Fact]
    public void DropUnchangedFileMappings_ReadOnlyPrivateMappingOfAFile_DropsItsPagesAndKeepsItsBytes()
    {
        // arrange: every page read, so resident
        using var mapping = new Mapping(_file, Read);
        TouchEveryPage(mapping.Address);
        Assert.Equal(Length / 1024, ResidentKib(mapping.Address));

        // act
        var dropped = DaemonMemoryRelease.DropUnchangedFileMappings("/proc/self/smaps", NullLogger.Instance);

        // assert: no longer counted in the process, and the same bytes when read again
        Assert.Equal(0, ResidentKib(mapping.Address));
        Assert.True(dropped >= Length, $"{dropped} bytes reported dropped");
        Assert.Equal(_bytes, Copy(mapping.Address));
    }

    [Fact]
    public void DropUnchangedFileMappings_ReadOnlyMappingWithAPageChangedBeforeItWasMadeReadOnly_KeepsTheChange()
    {
        // As the loader's relocated data: written, then made read-only. Dropped, it would read the file's bytes again.
        using var mapping = new Mapping(_file, Read | Write);
        Marshal.WriteByte(mapping.Address, 0, (byte)~_bytes[0]);
        Assert.Equal(0, mprotect(mapping.Address, Length, Read));
        TouchEveryPage(mapping.Address);

        _ = DaemonMemoryRelease.DropUnchangedFileMappings("/proc/self/smaps", NullLogger.Instance);

        Assert.Equal((byte)~_bytes[0], Marshal.ReadByte(mapping.Address, 0));
        Assert.Equal(Length / 1024, ResidentKib(mapping.Address));
    }

    [Fact]
    public void DropUnchangedFileMappings_WritableMapping_KeepsItsPages()
    {
        // Clean now, but another thread may write to it between the look and the drop: its write would be lost.
        using var mapping = new Mapping(_file, Read | Write);
        TouchEveryPage(mapping.Address);

        _ = DaemonMemoryRelease.DropUnchangedFileMappings("/proc/self/smaps", NullLogger.Instance);

        Assert.Equal(Length / 1024, ResidentKib(mapping.Address));
    }

    [Fact]
    public void DropUnchangedFileMappings_MappingsUnreadable_DropsNothingAndSaysWhichFile()
    {
        var logger = new FakeLogger();
        var missing = _temp.Combine("no-proc", "smaps");

        var dropped = DaemonMemoryRelease.DropUnchangedFileMappings(missing, logger);

        Assert.Equal(0, dropped);
        var record = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(521, record.Id.Id);
        Assert.Contains(missing, record.Message, StringComparison.Ordinal);
    }

    private static void TouchEveryPage(nint mapping)
    {
        for (var offset = 0; offset < Length; offset += Page)
        {
            _ = Marshal.ReadByte(mapping, offset);
        }
    }

    /// <summary>The daemon's release as the command builds it, but with the files' resident bytes fixed: another test's mapping never makes this one drop pages.</summary>
    private static DaemonMemoryRelease Create(int intervalSeconds, FakeLogger<DaemonMemoryRelease> logger) =>
        new(Options.Create(new RunnerTokenRefreshOptions { CheckInterval = TimeSpan.FromSeconds(intervalSeconds) }), logger, () => 0);

    private static byte[] Copy(nint mapping)
    {
        var copy = new byte[Length];
        Marshal.Copy(mapping, copy, 0, Length);
        return copy;
    }

    /// <summary>The Rss line of the mapping that starts at <paramref name="mapping"/>, in /proc/self/smaps.</summary>
    private static long ResidentKib(nint mapping)
    {
        var header = ((ulong)mapping).ToString("x", CultureInfo.InvariantCulture) + "-";
        var lines = File.ReadAllLines("/proc/self/smaps");
        var at = Array.FindIndex(lines, line => line.StartsWith(header, StringComparison.Ordinal));
        Assert.True(at >= 0, $"no mapping at {header} in /proc/self/smaps");
        var rss = lines.Skip(at + 1).First(line => line.StartsWith("Rss:", StringComparison.Ordinal));
        return long.Parse(rss.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint mmap(nint address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int mprotect(nint address, nuint length, int protection);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int munmap(nint address, nuint length);

    /// <summary>The whole file mapped privately (MAP_PRIVATE), as the loader maps a binary; unmapped on dispose.</summary>
    private sealed class Mapping : IDisposable
    {
        public Mapping(string path, int protection)
        {
            using var file = File.OpenHandle(path);
            Address = mmap(0, Length, protection, Private, (int)file.DangerousGetHandle(), 0);
            Assert.NotEqual(-1, Address);
        }

        public nint Address { get; }

        public void Dispose() => _ = munmap(Address, Length);
    }
}
