namespace RunnerTokens.Systemd.Tests.Reconfiguration;

/// <summary>
/// Issue 10: a failure says whether trying again can help, from the tool's own words, so the engine does not repeat a
/// full stop/remove/configure/rollback/start for a refusal that will not change.
/// </summary>
public sealed partial class SystemdReconfigurerTests
{
    [Fact]
    public async Task ReconfigureAsync_ConfigShRefusesRootWithoutPermission_IsPermanent()
    {
        using var sut = new SystemdHarness(configure: o => o.AllowRunAsRoot = false);
        sut.Machine.Runner.ConfigSh.PretendUid(0);

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(() => sut.ReconfigureAsync());

        Assert.Contains("Must not run with sudo", ex.Message, StringComparison.Ordinal);
        Assert.Equal(RefreshFailureKind.Permanent, ex.Kind);
    }

    [Fact]
    public async Task ReconfigureAsync_RunnerGroupTheScopeDoesNotHave_IsPermanentAndKeepsTheOldRegistration()
    {
        // The real fake: config.sh asks the fake GitHub for the scope's groups and finds none of that name.
        using var sut = new SystemdHarness(shapeRegistration: r => r with { RunnerGroup = "no-such-group" });
        var before = sut.Machine.Runner.Snapshot();

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(() => sut.ReconfigureAsync());

        Assert.Contains("Could not find any self-hosted runner group named \"no-such-group\"", ex.Message, StringComparison.Ordinal);
        Assert.Equal(RefreshFailureKind.Permanent, ex.Kind);
        AssertSameFiles(before, sut.Machine.Runner.Snapshot());
        Assert.True(sut.Machine.Systemctl.IsActive(sut.Unit));
    }

    [Theory]
    [InlineData("Failed to stop actions.runner.x.service: Access denied", RefreshFailureKind.Permanent)]
    [InlineData("Failed to stop actions.runner.x.service: Interactive authentication required.", RefreshFailureKind.Permanent)]
    [InlineData("Failed to stop actions.runner.x.service: Connection timed out", RefreshFailureKind.Transient)]
    [InlineData("Failed to stop actions.runner.x.service: Transport endpoint is not connected", RefreshFailureKind.Transient)]
    public async Task ReconfigureAsync_SystemctlStopFails_KindFollowsItsWords(string message, RefreshFailureKind kind)
    {
        using var sut = new SystemdHarness();
        sut.Machine.Systemctl.Fail("stop", message);

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(() => sut.ReconfigureAsync());

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.Equal(kind, ex.Kind);
    }

    [Fact]
    public async Task ReconfigureAsync_ConfigShFailsOnAServerError_IsTransient()
    {
        using var sut = new SystemdHarness();
        sut.Machine.Runner.ConfigSh.Fail("configure", "Http response code: InternalServerError from 'POST https://api.github.com/actions/runner-registration'");

        var ex = await Assert.ThrowsAsync<RunnerReconfigurationException>(() => sut.ReconfigureAsync());

        Assert.Contains("InternalServerError", ex.Message, StringComparison.Ordinal);
        Assert.Equal(RefreshFailureKind.Transient, ex.Kind);
    }
}
