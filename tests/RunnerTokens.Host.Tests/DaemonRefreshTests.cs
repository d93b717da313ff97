using RunnerTokens.TestKit;

namespace RunnerTokens.Host.Tests;

public sealed class DaemonRefreshTests
{
    [Fact]
    public async Task Daemon_SigtermDuringRefresh_RollsBackAndExits0()
    {
        await using var e2e = await EndToEnd.StartAsync();
        var before = e2e.Machine.Runner.Snapshot();
        e2e.Machine.Runner.ConfigSh.Hang("configure");
        await using var daemon = RunningProcess.Start(HostProcess.Command(e2e.Arguments("--daemon", "--interval", "3600"), e2e.Environment));
        await WaitUntilAsync(() => e2e.Machine.Runner.ConfigSh.Calls.Any(c => c.Command == "configure"), daemon);

        await daemon.SignalAsync("TERM");

        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(before, e2e.Machine.Runner.Snapshot());
        Assert.True(e2e.Machine.Systemctl.IsActive("actions.runner.my-org.runner-1.service"));
        Assert.False(File.Exists(Path.Combine(e2e.Machine.StateDirectory, "runner-1", "systemd-journal.json")));
        Assert.DoesNotContain(EndToEnd.Token, daemon.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    [InlineData("HUP")]
    public async Task CheckAndRefresh_SignalDuringRefresh_RollsBackAndLeavesTheRunnerRunning(string signal)
    {
        // A cron job or a timer's oneshot gets SIGTERM at shutdown, a terminal gets SIGINT (Ctrl-C) or SIGHUP.
        await using var e2e = await EndToEnd.StartAsync();
        var before = e2e.Machine.Runner.Snapshot();
        e2e.Machine.Runner.ConfigSh.Hang("configure");
        await using var oneShot = RunningProcess.Start(HostProcess.Command(e2e.Arguments("--check-and-refresh"), e2e.Environment));
        await WaitUntilAsync(() => e2e.Machine.Runner.ConfigSh.Calls.Any(c => c.Command == "configure"), oneShot);

        await oneShot.SignalAsync(signal);

        Assert.Equal(0, await oneShot.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(before, e2e.Machine.Runner.Snapshot());
        Assert.True(e2e.Machine.Systemctl.IsActive("actions.runner.my-org.runner-1.service"), oneShot.Output);
        Assert.False(File.Exists(Path.Combine(e2e.Machine.StateDirectory, "runner-1", "systemd-journal.json")));
        Assert.Contains($"SIG{signal}", oneShot.Output, StringComparison.Ordinal);
        Assert.Contains("rolled back", oneShot.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAndRefresh_WhileDaemonRefreshes_WaitsThenPostponesWithoutTouchingTheRunner()
    {
        await using var e2e = await EndToEnd.StartAsync();
        e2e.Machine.Runner.ConfigSh.Hang("configure");
        await using var daemon = RunningProcess.Start(HostProcess.Command(e2e.Arguments("--daemon", "--interval", "3600"), e2e.Environment));

        // Hanging, not only called: the fake records the call, then its line in the sequence, then hangs (CI once
        // counted the sequence between the two).
        await WaitUntilAsync(() => e2e.Machine.Runner.ConfigSh.Hanging("configure"), daemon);
        var calls = e2e.Machine.Sequence.Count;
        var config = Path.Combine(e2e.Machine.RootPath, "lock.json");
        await File.WriteAllTextAsync(config, "{ \"LockTimeout\": \"00:00:01\" }");

        var cron = await HostProcess.RunAsync(e2e.Arguments("--check-and-refresh", "--config", config), e2e.Environment);

        Assert.Equal(0, cron.ExitCode);
        Assert.Contains("another process", cron.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(calls, e2e.Machine.Sequence.Count);
        await daemon.SignalAsync("TERM");
        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60)));
    }

    private static async Task WaitUntilAsync(Func<bool> condition, RunningProcess process) =>
        Assert.True(await Poll.UntilAsync(condition, TimeSpan.FromSeconds(30)), "Timed out. Output:\n" + process.Output);
}
