using RunnerTokens.TestKit;

namespace RunnerTokens.Host.Tests;

public sealed class DaemonTests : IDisposable
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
        for (var i = 0; i < 100 && CountDecisions(daemon.Output) < 3; i++)
        {
            await Task.Delay(100);
        }

        Assert.True(CountDecisions(daemon.Output) >= 3, daemon.Output);
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

    private static int CountDecisions(string output) =>
        output.Split('\n').Count(line => line.Contains("sample-runner: source=", StringComparison.Ordinal));
}
