using Microsoft.Extensions.Logging;
using RunnerTokens.Shared;
using RunnerTokens.Systemd.Tests.Reconfiguration;

namespace RunnerTokens.Systemd.Tests.Commands;

/// <summary>The "still waiting" lines an operator sees while a step takes long.</summary>
public sealed class WaitProgressTests
{
    [Fact]
    public async Task StopAsync_UnitTakesLongToStop_LogsStillWaitingWithElapsedAndLimit()
    {
        using var sut = new SystemdHarness(configure: o =>
        {
            o.StopTimeout = TimeSpan.FromHours(1);
            o.SystemctlTimeout = TimeSpan.FromHours(1);
        });
        // 5 s of real time: the fake clock moves a second per step, so even a loaded machine's slow steps reach the
        // first still-waiting line (30 s) long before, and 2000 steps of at least 5 ms outlast it.
        sut.Machine.Systemctl.StopTakes(TimeSpan.FromSeconds(5));

        var task = sut.Get<UnitController>().StopAsync(sut.Unit, userUnit: false, new SecretMasker(), CancellationToken.None);
        await sut.DriveClockUntilDoneAsync(task, UnitController.PollInterval, duringCommands: true);
        await task;

        var lines = StillWaiting(sut);
        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.Matches($@"^still waiting for systemctl stop {sut.Unit.Replace(".", "\\.", StringComparison.Ordinal)} \(\d+ (s|min)( \d+ s)? of 1 h\)$", line));
    }

    [Fact]
    public async Task ReconfigureAsync_ConfigShRunsLong_LogsStillWaitingEveryIntervalWithoutTheCommandLine()
    {
        using var sut = new SystemdHarness(configure: o =>
        {
            o.ConfigTimeout = TimeSpan.FromMinutes(2);
            o.RollbackTimeout = SystemdHarness.DrivenClockRollbackTimeout;
        });
        sut.Machine.Runner.ConfigSh.Hang("configure");

        var task = sut.ReconfigureAsync();
        await SystemdReconfigurerTests.WaitForAsync(() => sut.Machine.Runner.ConfigSh.Calls.Any(c => c.Command == "configure"));
        sut.Time.Advance(TimeSpan.FromSeconds(29));
        var before = StillWaiting(sut);
        sut.Time.Advance(TimeSpan.FromSeconds(1));
        sut.Time.Advance(TimeSpan.FromSeconds(30));
        var after = StillWaiting(sut);
        sut.Time.Advance(TimeSpan.FromMinutes(1));
        await Assert.ThrowsAsync<RunnerReconfigurationException>(() => task);

        Assert.Empty(before);
        Assert.Equal(["still waiting for config.sh configure (30 s of 2 min)", "still waiting for config.sh configure (1 min of 2 min)"], after);
        Assert.DoesNotContain(sut.RegistrationToken, sut.EverythingVisible(), StringComparison.Ordinal);
    }

    private static List<string> StillWaiting(SystemdHarness sut) =>
        [.. sut.Logs.GetSnapshot().Where(r => r.Level == LogLevel.Information && r.Message.StartsWith("still waiting", StringComparison.Ordinal)).Select(r => r.Message)];
}
