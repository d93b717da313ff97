using System.Diagnostics;
using RunnerTokens.TestKit;
using RunnerTokens.TestKit.Runner;
using static RunnerTokens.Host.Tests.FaultMatrix.FaultScenario;

namespace RunnerTokens.Host.Tests.FaultMatrix;

/// <summary>
/// The fault matrix's disk rows: folders that cannot be written, a full disk, and things in the way where a file is
/// expected (a FIFO, which blocks whoever opens it to read; a symbolic link). Runs must end in bounded time
/// (<see cref="HostProcess"/> gives up after 60 s) and say what is wrong.
/// </summary>
public sealed class FaultMatrixDiskTests
{
    public static TheoryData<string> Cases => FaultScenario.Cases("FaultMatrixDiskTests.Faults");

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Faults(string id)
    {
        await using var e2e = await EndToEnd.StartAsync();
        var before = e2e.Machine.Runner.Snapshot();
        switch (id)
        {
            case "disk-runner-folder-read-only":
                await RunnerFolderReadOnlyAsync(e2e, before);
                break;
            case "disk-state-folder-read-only":
                await StateFolderReadOnlyAsync(e2e, before);
                break;
            case "disk-metrics-disk-full":
                await MetricsDiskFullAsync(e2e, before);
                break;
            case "disk-metrics-device":
                await MetricsDeviceAsync(e2e, before);
                break;
            case "fifo-metrics-file":
                await FifoAtMetricsFileAsync(e2e, before);
                break;
            case "fifo-newest-diag-log":
                await FifoAtNewestDiagLogAsync(e2e, before);
                break;
            case "fifo-credentials":
                await FifoAtCredentialsAsync(e2e);
                break;
            case "state-folder-symlink":
                await StateFolderSymlinkAsync(e2e, before);
                break;
            default:
                throw new InvalidOperationException($"no case for '{id}'");
        }
    }

    private static async Task RunnerFolderReadOnlyAsync(EndToEnd e2e, IReadOnlyDictionary<string, byte[]> before)
    {
        using var readOnly = ImmutableFiles.TryCreate(e2e.Machine.Runner.Path);
        Assert.NotNull(readOnly); // needs root and ext4/xfs/btrfs (chattr +i), as in CI

        var result = await RunAsync(e2e, Environment(e2e, attempts: 1));
        readOnly.Dispose();

        AssertExit(1, result);
        AssertAsBefore(e2e, before);
        AssertMetrics(e2e, refreshes: 0, failures: 1, consecutive: 1);
        AssertSays("re-registration failed at step 'service-aside': UnauthorizedAccessException: Access to the path", Said(e2e, result));
        TokenScan.AssertNoneLeaked(e2e, result);
    }

    private static async Task StateFolderReadOnlyAsync(EndToEnd e2e, IReadOnlyDictionary<string, byte[]> before)
    {
        var state = Path.Combine(e2e.Machine.StateDirectory, "runner-1");
        Directory.CreateDirectory(state);
        using var readOnly = ImmutableFiles.TryCreate(state);
        Assert.NotNull(readOnly);

        var result = await RunAsync(e2e, Environment(e2e, attempts: 1));
        readOnly.Dispose();

        AssertExit(1, result);
        AssertRunnerUntouched(e2e);
        AssertAsBefore(e2e, before);
        Assert.Empty(e2e.Api.IssuedTokens);
        AssertSays(state, Said(e2e, result));
        TokenScan.AssertNoneLeaked(e2e, result);
    }

    private static async Task MetricsDiskFullAsync(EndToEnd e2e, IReadOnlyDictionary<string, byte[]> before)
    {
        using var disk = SmallDisk.Mount(Path.Combine(e2e.Machine.RootPath, "full"));
        var metricsFile = Path.Combine(disk.Path, "metrics.json");
        await File.WriteAllTextAsync(metricsFile, """{"last_check_timestamp":1795608000,"last_refresh_timestamp":1795608000,"total_refreshes":7,"failed_refreshes":0,"consecutive_failures":0,"runner_org":"my-org","runner_name":"runner-1"}""");
        var old = await File.ReadAllBytesAsync(metricsFile);
        disk.Fill();

        var result = await RunAsync(e2e, Environment(e2e, 2, ("METRICS_FILE", metricsFile)));

        // The refresh itself does not depend on the metrics: it is done, and the old metrics are whole.
        AssertExit(0, result);
        AssertRegisteredAnew(e2e, before);
        Assert.Equal(old, await File.ReadAllBytesAsync(metricsFile));
        AssertSays("No space left on device", Said(e2e, result));
        TokenScan.AssertNoneLeaked(e2e, result);
    }

    private static async Task MetricsDeviceAsync(EndToEnd e2e, IReadOnlyDictionary<string, byte[]> before)
    {
        var result = await RunAsync(e2e, Environment(e2e, 2, ("METRICS_FILE", "/dev/full")));

        AssertExit(0, result);
        AssertRegisteredAnew(e2e, before);
        AssertSays("metrics file refused: /dev/full", Said(e2e, result));
        TokenScan.AssertNoneLeaked(e2e, result);
    }

    private static async Task FifoAtMetricsFileAsync(EndToEnd e2e, IReadOnlyDictionary<string, byte[]> before)
    {
        Fifo.Make(e2e.MetricsFile);

        var result = await RunAsync(e2e, Environment(e2e));

        AssertExit(0, result);
        AssertRegisteredAnew(e2e, before);
        AssertSays("not a regular file", Said(e2e, result));
        TokenScan.AssertNoneLeaked(e2e, result);
    }

    private static async Task FifoAtNewestDiagLogAsync(EndToEnd e2e, IReadOnlyDictionary<string, byte[]> before)
    {
        // Named as a listener log of a minute ago, the newest there is.
        var fifo = $"Runner_{DateTime.UtcNow.AddMinutes(-1):yyyyMMdd-HHmmss}-utc.log";
        Fifo.Make(Path.Combine(e2e.Machine.Runner.DiagDirectory, fifo));

        var result = await RunAsync(e2e, Environment(e2e));

        AssertExit(0, result);
        AssertRegisteredAnew(e2e, before);
        AssertRegisteredAndRunning(e2e);
        AssertMetrics(e2e, refreshes: 1, failures: 0, consecutive: 0);
        AssertSays($"not regular files, not opened: {fifo}", Said(e2e, result));
        TokenScan.AssertNoneLeaked(e2e, result);
    }

    private static async Task FifoAtCredentialsAsync(EndToEnd e2e)
    {
        var credentials = e2e.Machine.Runner.File(".credentials");
        Fifo.Make(credentials);

        var result = await RunAsync(e2e, Environment(e2e, attempts: 1));

        // Refused at the backup, before anything is stopped; the FIFO is left for the operator to look at.
        AssertExit(1, result);
        AssertSays(".credentials is not a regular file (it is a FIFO)", Said(e2e, result));
        AssertRunnerUntouched(e2e);
        Assert.Equal("fifo", FileType(credentials));
        Assert.True(e2e.Machine.Systemctl.IsActive(Unit));
        AssertMetrics(e2e, refreshes: 0, failures: 1, consecutive: 1);
        TokenScan.AssertNoneLeaked(e2e, result);
    }

    private static async Task StateFolderSymlinkAsync(EndToEnd e2e, IReadOnlyDictionary<string, byte[]> before)
    {
        var elsewhere = Path.Combine(e2e.Machine.RootPath, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        Directory.CreateDirectory(e2e.Machine.StateDirectory);
        Directory.CreateSymbolicLink(Path.Combine(e2e.Machine.StateDirectory, "runner-1"), elsewhere);

        var result = await RunAsync(e2e, Environment(e2e));

        AssertExit(1, result);
        AssertRunnerUntouched(e2e);
        AssertAsBefore(e2e, before);
        Assert.Empty(Directory.EnumerateFileSystemEntries(elsewhere));
        AssertSays("symbolic link", Said(e2e, result));
        TokenScan.AssertNoneLeaked(e2e, result);
    }

    /// <summary>What <c>stat</c> calls the file: <c>regular file</c>, <c>fifo</c>, ….</summary>
    private static string FileType(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%F", path]) { RedirectStandardOutput = true })!;
        var type = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return type;
    }

    /// <summary>A 64 KiB tmpfs, to fill to the last byte; unmounted on dispose. Needs root (CAP_SYS_ADMIN), as in CI.</summary>
    private sealed class SmallDisk : IDisposable
    {
        private SmallDisk(string path)
        {
            Path = path;
        }

        public string Path { get; }

        public static SmallDisk Mount(string path)
        {
            Directory.CreateDirectory(path);
            Assert.Equal(0, Run("mount", "-t", "tmpfs", "-o", "size=64k,mode=755", "tmpfs", path));
            return new SmallDisk(path);
        }

        /// <summary>Writes a filler file until the disk is full.</summary>
        public void Fill()
        {
            using var filler = new FileStream(System.IO.Path.Combine(Path, "filler"), FileMode.Create);
            var block = new byte[4096];
            try
            {
                while (true)
                {
                    filler.Write(block);
                    filler.Flush(flushToDisk: true);
                }
            }
            catch (IOException)
            {
                // ENOSPC: full.
            }
        }

        public void Dispose() => Run("umount", Path);

        private static int Run(string program, params string[] arguments)
        {
            using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true })!;
            process.WaitForExit();
            return process.ExitCode;
        }
    }
}
