using System.Globalization;
using System.Text.RegularExpressions;
using RunnerTokens.TestKit;

namespace RunnerTokens.Host.Tests;

public sealed partial class DaemonTests : IDisposable
{
    private readonly TempDirectory _temp = new("daemon");

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task Daemon_SignalDuringSleep_StopsCleanlyWithExit0(string signal)
    {
        await using var daemon = RunningProcess.Start(HostProcess.Command(
            ["--daemon", "--dry-run", "--runner-dir", "samples/actions-runner", "--interval", "3600"]));
        await daemon.WaitForOutputAsync("sample-runner: source=runner-files");

        await daemon.SignalAsync(signal);

        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.DoesNotContain(" fail: ", daemon.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(" crit: ", daemon.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Daemon_ChecksAgainEachInterval()
    {
        await using var daemon = RunningProcess.Start(HostProcess.Command(
            ["--daemon", "--dry-run", "--runner-dir", "samples/actions-runner", "--interval", "1"]));

        await daemon.WaitForOutputAsync("Daemon started: 1 runner(s), checking every 1 s");
        await WaitForDecisionsAsync(daemon, 3);

        Assert.True(CountDecisions(daemon.Output) >= 3, daemon.Output);
        await daemon.SignalAsync("TERM");
        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Daemon_AfterItsFirstCheck_GivesBackTheMemoryOnlyStartUpUsedAndChecksOn()
    {
        await using var daemon = RunningProcess.Start(HostProcess.Command(
            ["--daemon", "--dry-run", "--runner-dir", "samples/actions-runner", "--interval", "1", "--log-level", "debug"]));

        await daemon.WaitForOutputAsync("Start-up memory given back after the first check");
        var line = daemon.Output.Split('\n').First(l => l.Contains("Start-up memory given back", StringComparison.Ordinal));
        var figures = MemoryFigures().Match(line);
        Assert.True(figures.Success, line);
        var before = double.Parse(figures.Groups["before"].Value, CultureInfo.InvariantCulture);
        var dropped = double.Parse(figures.Groups["dropped"].Value, CultureInfo.InvariantCulture);
        var after = double.Parse(figures.Groups["after"].Value, CultureInfo.InvariantCulture);
        await WaitForDecisionsAsync(daemon, 3);

        // Megabytes of its own code and libraries dropped, and still below what start-up held two checks later.
        Assert.True(dropped >= 2 && after < before - 2, line);

        // The collector compacts readily (the project file's setting, in the runtime's configuration or, under Native AOT, in the binary).
        Assert.Contains("The garbage collector's settings: ConserveMemory 9,", daemon.Output, StringComparison.Ordinal);
        Assert.True(CountDecisions(daemon.Output) >= 3, daemon.Output);
        var resident = ResidentMebibytes(daemon.ProcessId);
        Assert.True(resident < before, $"{resident} MiB resident after the third check; {line}");
        await daemon.SignalAsync("TERM");
        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Daemon_StartedWithSystemdsSoftLimitOnOpenFiles_RaisesItToTheHardLimit()
    {
        // systemd starts a service with a soft limit of 1024 open files; 256 here, below what the test host has.
        await using var daemon = RunningProcess.Start(HostProcess.Command(
            ["--daemon", "--dry-run", "--runner-dir", "samples/actions-runner", "--interval", "1", "--log-level", "debug"], shell: "ulimit -Sn 256"));

        await daemon.WaitForOutputAsync("Open files: soft limit");
        await WaitForDecisionsAsync(daemon, 1);

        // The JIT runtime raises it itself before Main; Native AOT leaves it to the daemon (event 530).
        var limit = File.ReadLines($"/proc/{daemon.ProcessId}/limits").First(l => l.StartsWith("Max open files", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(limit[4], limit[3]);
        Assert.NotEqual("256", limit[3]);
        if (HostProcess.NativeBinary is not null)
        {
            Assert.Contains($"Open files: soft limit raised from 256 to the hard limit, {limit[4]}", daemon.Output, StringComparison.Ordinal);
        }

        await daemon.SignalAsync("TERM");
        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }

    [Theory]
    [InlineData("--runner-dir", "MISSING", "does not exist")]
    [InlineData("--name", "wrong", "--name 'wrong' is not allowed: the runner in")]
    public async Task Daemon_InvalidConfiguration_Exits2WithOneMessageAndNoStackTrace(string flag, string value, string message)
    {
        string[] arguments = flag == "--runner-dir"
            ? ["--daemon", "--org", "acme", "--runner-dir", _temp.Combine("missing")]
            : ["--daemon", "--runner-dir", "samples/actions-runner", flag, value];

        var result = await HostProcess.RunAsync(arguments);

        var everything = result.StandardOutput + result.StandardError;
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("Daemon started", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("Hosting failed", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", everything, StringComparison.Ordinal);
    }

    private static double ResidentMebibytes(int processId) =>
        long.Parse(
            File.ReadLines($"/proc/{processId}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
            CultureInfo.InvariantCulture) / 1024.0;

    [GeneratedRegex(@"resident (?<before>[0-9.]+) MiB, of which (?<dropped>[0-9.]+) MiB .* now (?<after>[0-9.]+) MiB")]
    private static partial Regex MemoryFigures();

    /// <summary>Waits up to 10 s for <paramref name="count"/> decision lines; the caller asserts how many came.</summary>
    private static Task WaitForDecisionsAsync(RunningProcess daemon, int count) =>
        Poll.UntilAsync(() => CountDecisions(daemon.Output) >= count, TimeSpan.FromSeconds(10));

    private static int CountDecisions(string output) =>
        output.Split('\n').Count(line => line.Contains("sample-runner: source=", StringComparison.Ordinal));
}
