using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RunnerTokens.Host.Memory;

/// <summary>
/// Gives memory back to the system after a check of the daemon, before it sleeps (issue 11, goal 3).
/// <list type="bullet">
/// <item>After the first check, what only start-up used: start-up (the command line, the configuration, the
/// services, the first listing from GitHub) runs code that no check runs again. One compacting collection that
/// decommits what it frees (<see cref="GCCollectionMode.Aggressive"/>), and the pages of the binary and of the shared
/// libraries that start-up touched: clean copies of their files, each counted in the daemon's resident memory until
/// the kernel needs it back (14 MiB of the 19 MB Native AOT binary with one runner, where a check uses about 3 MiB).
/// The process drops them (<c>madvise(MADV_DONTNEED)</c>); they stay in the page cache, shared with every other
/// process, and a check that touches one maps it back from there.</item>
/// <item>After each later check, when the next is at least <see cref="CollectBeforeSleepFrom"/> away, the check's
/// garbage: one collection (blocking, not compacting), of the whole heap once in <see cref="FullCollectionEvery"/>
/// checks and of the two younger generations otherwise. And the files' pages again when those resident have grown by
/// <see cref="DropAgainAfterBytes"/> beyond what a check settles at (what the first check after a drop maps back: the
/// code every check runs): code that a later check ran for the first time since (a question to GitHub under
/// <c>--policy registration</c>, a refresh) maps its pages back, and would keep them. Dropped at every check, the
/// check's own code would be mapped back at the next one: 6 MiB less for 1,000 runners at 60 s, but more CPU a check
/// (2026-11-29, docs/performance-log.md). At the default minute, each check replaced every runner's
/// metrics document and the stamps kept with it (a third of them since the time stamp's slots); left to the
/// first-generation budget alone, that garbage reached the oldest generation and the daemon of 1,000 runners climbed
/// from 29.5 to 35.1 MiB in 12 checks, against 28 MiB flat with it.</item>
/// <item>At a shorter interval, after the first check that ends <see cref="CollectEveryAtShortIntervals"/> or more
/// after the last such collection: one compacting collection of the whole heap, every 5 s whatever the interval. A
/// collection at every check would cost more than it gives (a check of 1,000 runners every second); left to the budget
/// alone, the checks' garbage of the first minute reached the oldest generation and the daemon of 1,000 runners at 1 s
/// held 31.3–34.2 MiB from its 10th check to its 90th, against 28.1–30.8 MiB with it (2026-11-28). The time is the
/// check's end as the engine gives it (<see cref="IRefreshCheckObserver"/>); a clock set back counts the 5 s from its
/// new time.</item>
/// </list>
/// Only mappings whose content cannot be lost are dropped: private mappings of a file, without write permission and
/// without a page the process changed (<c>Anonymous: 0 kB</c> in <c>/proc/self/smaps</c>: a loader's relocated data,
/// made read-only after, has such pages). The next access to a dropped page reads the file's bytes, which is what the
/// page held. The list is read just before the pages are dropped, once, while the checks are between two runs; nothing
/// in the daemon unmaps a file meanwhile (the runtime unloads no library, and the daemon maps no file of its own), so an
/// address read as such a mapping is still one when it is dropped. Linux only; anywhere else nothing is done, and
/// without <c>/proc</c> no page is dropped.
/// </summary>
/// <param name="options">The engine's options (the interval).</param>
/// <param name="logger">The logger.</param>
/// <param name="fileResident">The bytes of files the process has resident (<see cref="FileResident"/>; a test's own).</param>
internal sealed partial class DaemonMemoryRelease(IOptions<RunnerTokenRefreshOptions> options, ILogger<DaemonMemoryRelease> logger, Func<long>? fileResident = null) : IRefreshCheckObserver
{
    /// <summary>
    /// How much the resident pages of files may grow beyond what a check settles at before a check that sleeps
    /// <see cref="CollectBeforeSleepFrom"/> or more drops them again. A question to GitHub maps back about 2 MiB of the
    /// binary's code (Octokit, Polly, the HTTP stack) that the checks between questions never run.
    /// </summary>
    internal const long DropAgainAfterBytes = 1 << 20;

    /// <summary>The shortest interval between checks at which each check's garbage is collected before the daemon sleeps.</summary>
    internal static readonly TimeSpan CollectBeforeSleepFrom = TimeSpan.FromSeconds(10);

    /// <summary>At a shorter interval, the shortest time between two collections of the whole heap, each after a check.</summary>
    internal static readonly TimeSpan CollectEveryAtShortIntervals = TimeSpan.FromSeconds(5);

    /// <summary>
    /// At an interval of <see cref="CollectBeforeSleepFrom"/> or more, one collection before a sleep in this many is a
    /// full one; the others collect the two younger generations, where a check's garbage lies. A full collection marks
    /// the whole heap, every runner's objects cold after the sleep; what a check's garbage leaves in the oldest generation
    /// waits for the next full one, at most this many checks. Once in eight rather than four halves the full collections
    /// at no cost in RSS; in CPU it measured 44.3 against 47.1 ms a check of 1,000 runners at 60 s side by side, but
    /// 48.6 ms alone, inside the spread between runs (2026-11-29, docs/performance-log.md).
    /// </summary>
    internal const int FullCollectionEvery = 8;

    private const int DontNeed = 4; // MADV_DONTNEED on Linux.

    private readonly Func<long> _fileResident = fileResident ?? FileResident;
    private int _released;

    // What the files' pages settled at in the first check after the last drop; null until that check has ended.
    private long? _fileResidentSettled;
    private int _collections;
    private DateTimeOffset _lastCollectedAt;

    public ValueTask OnCheckCompletedAsync(IReadOnlyList<RunnerRefreshResult> results, DateTimeOffset completedAt, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            return ValueTask.CompletedTask;
        }

        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            var before = Environment.WorkingSet;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            var dropped = DropUnchangedFileMappings("/proc/self/smaps", logger);
            Log.Released(logger, Mebibytes(before), Mebibytes(dropped), Mebibytes(Environment.WorkingSet));
            var settings = GC.GetConfigurationVariables();
            Log.CollectorSettings(logger, Setting(settings, "GCConserveMem"), Setting(settings, "GCRegionSize"));
        }
        else if (options.Value.CheckInterval is var interval && interval >= CollectBeforeSleepFrom)
        {
            var generation = Interlocked.Increment(ref _collections) % FullCollectionEvery == 0 ? GC.MaxGeneration : 1;
            Collect(generation, compacting: false, interval);
            var resident = _fileResident();
            if (_fileResidentSettled is not { } settled)
            {
                _fileResidentSettled = resident;
            }
            else if (resident - settled >= DropAgainAfterBytes)
            {
                var dropped = DropUnchangedFileMappings("/proc/self/smaps", logger);
                _fileResidentSettled = null;
                Log.DroppedAgain(logger, Mebibytes(dropped), Mebibytes(Environment.WorkingSet));
            }
        }
        else if (completedAt < _lastCollectedAt)
        {
            // The clock was set back: the time to the next collection counts from its new time.
        }
        else if (completedAt - _lastCollectedAt >= CollectEveryAtShortIntervals)
        {
            Collect(GC.MaxGeneration, compacting: true, interval);
        }
        else
        {
            return ValueTask.CompletedTask;
        }

        _lastCollectedAt = completedAt;
        return ValueTask.CompletedTask;
    }

    private void Collect(int generation, bool compacting, TimeSpan interval)
    {
        GC.Collect(generation, GCCollectionMode.Forced, blocking: true, compacting);
        Log.Collected(logger, generation, LogText.Duration(interval), Mebibytes(Environment.WorkingSet));
    }

    /// <summary>One of the collector's settings as it reads them (<see cref="GC.GetConfigurationVariables"/>); "not set" when it does not list it.</summary>
    private static string Setting(IReadOnlyDictionary<string, object> settings, string name) =>
        settings.TryGetValue(name, out var value) ? Convert.ToString(value, CultureInfo.InvariantCulture) ?? "not set" : "not set";

    /// <summary>
    /// Drops from the process the resident pages of every private, read-only file mapping that holds no page the
    /// process changed, as <paramref name="smapsPath"/> lists them.
    /// </summary>
    /// <returns>The bytes the dropped mappings had resident.</returns>
    internal static long DropUnchangedFileMappings(string smapsPath, ILogger logger)
    {
        List<Mapping> mappings;
        try
        {
            mappings = ReadMappings(smapsPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.NotReleased(logger, smapsPath, ex.Message);
            return 0;
        }

        long dropped = 0;
        foreach (var mapping in mappings)
        {
            if (mapping.Droppable && MAdvise((nint)mapping.Start, (nuint)(mapping.End - mapping.Start), DontNeed) == 0)
            {
                dropped += mapping.ResidentKib * 1024;
            }
        }

        return dropped;
    }

    /// <summary>The mappings that may be dropped if they hold no changed page, each with its Rss and Anonymous lines.</summary>
    private static List<Mapping> ReadMappings(string smapsPath)
    {
        // Each mapping is a line "start-end perms offset device inode [path]", then lines "Name: value"; the lines of
        // a mapping that is not a candidate are skipped.
        var mappings = new List<Mapping>();
        Mapping? current = null;
        foreach (var line in File.ReadLines(smapsPath))
        {
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0)
            {
                continue;
            }

            if (!fields[0].EndsWith(':'))
            {
                if (current is not null)
                {
                    mappings.Add(current);
                }

                current = Mapping.ParseCandidate(fields);
            }
            else if (current is not null && fields.Length >= 2 && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kib))
            {
                switch (fields[0])
                {
                    case "Rss:":
                        current.ResidentKib = kib;
                        break;
                    case "Anonymous:":
                        current.AnonymousKib = kib;
                        break;
                }
            }
        }

        if (current is not null)
        {
            mappings.Add(current);
        }

        return mappings;
    }

    /// <summary>
    /// The bytes of files (and shared memory) the process has resident: the third field of <c>/proc/self/statm</c>, in
    /// pages, one small read; 0 when it cannot be read.
    /// </summary>
    internal static long FileResident()
    {
        try
        {
            var fields = File.ReadAllText("/proc/self/statm").Split(' ');
            return fields.Length > 2 && long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var pages)
                ? pages * Environment.SystemPageSize
                : 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static double Mebibytes(long bytes) => Math.Round(bytes / 1048576.0, 1);

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static partial int MAdvise(nint address, nuint length, int advice);

    private sealed class Mapping
    {
        public ulong Start { get; private init; }

        public ulong End { get; private init; }

        public long ResidentKib { get; set; }

        /// <summary>Unknown (-1) until its line is read: a mapping whose line is missing is kept.</summary>
        public long AnonymousKib { get; set; } = -1;

        public bool Droppable => AnonymousKib == 0 && ResidentKib > 0;

        /// <summary>The mapping of a header line if it is a candidate: private, without write permission, of a file (an inode); else null.</summary>
        public static Mapping? ParseCandidate(string[] fields)
        {
            var range = fields[0].Split('-');
            if (fields.Length < 5 || range.Length != 2
                || fields[1] is not [_, '-', _, 'p'] || fields[4] == "0"
                || !ulong.TryParse(range[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var start)
                || !ulong.TryParse(range[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var end))
            {
                return null;
            }

            return new Mapping { Start = start, End = end };
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 520, Level = LogLevel.Debug, Message = "Start-up memory given back after the first check: resident {Before} MiB, of which {Dropped} MiB were unchanged pages of the binary and its libraries; now {After} MiB")]
        public static partial void Released(ILogger logger, double before, double dropped, double after);

        [LoggerMessage(EventId = 523, Level = LogLevel.Debug, Message = "The garbage collector's settings: ConserveMemory {ConserveMemory}, region size {RegionSize} bytes (0: its default)")]
        public static partial void CollectorSettings(ILogger logger, string conserveMemory, string regionSize);

        [LoggerMessage(EventId = 521, Level = LogLevel.Debug, Message = "Start-up memory not given back: {Path} could not be read ({Problem})")]
        public static partial void NotReleased(ILogger logger, string path, string problem);

        [LoggerMessage(EventId = 524, Level = LogLevel.Debug, Message = "Pages of the binary and its libraries that checks mapped back since the last drop given back: {Dropped} MiB; now {After} MiB")]
        public static partial void DroppedAgain(ILogger logger, double dropped, double after);

        [LoggerMessage(EventId = 522, Level = LogLevel.Debug, Message = "The check's garbage collected (generations 0 to {Generation}) before the next, in {Interval}: resident {After} MiB")]
        public static partial void Collected(ILogger logger, int generation, string interval, double after);
    }
}
