namespace RunnerTokens.Systemd.Tests.Preflight;

/// <summary>The unit systemd knows, and config.sh this user can run.</summary>
public sealed class UnitAndScriptCheckTests
{
    private const string Unit = "actions.runner.my-org.runner-1.service";

    [Fact]
    public async Task UnitExists_Installed_OkNamingWhereTheNameCameFrom()
    {
        using var sut = new SystemdHarness();

        var result = await CheckAsync<UnitExistsCheck>(sut);

        Assert.Equal((PreflightStatus.Ok, $"unit {Unit} exists"), (result.Status, result.Title));
        Assert.Contains(".service", result.Detail, StringComparison.Ordinal);
        Assert.Equal([$"show -p LoadState --value {Unit}"], sut.Machine.Systemctl.Calls);
    }

    [Fact]
    public async Task UnitExists_DotServiceNamesAnUnknownUnit_FailsAndBlocks()
    {
        using var sut = new SystemdHarness();
        File.WriteAllText(sut.Machine.Runner.File(".service"), "actions.runner.my-org.gone.service\n");

        var result = await CheckAsync<UnitExistsCheck>(sut);

        Assert.Equal(PreflightStatus.Failed, result.Status);
        Assert.True(result.BlocksRefresh);
        Assert.Contains("'not-found'", result.Detail, StringComparison.Ordinal);
        Assert.Contains("svc.sh install", result.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnitChecks_DotServiceNamesAUnitOutsideThePattern_FailAndBlockWithoutAskingSystemd()
    {
        using var sut = new SystemdHarness();
        File.WriteAllText(sut.Machine.Runner.File(".service"), "sshd.service\n");

        var exists = await CheckAsync<UnitExistsCheck>(sut);
        var control = Assert.Single(await sut.Get<IEnumerable<IRunnerPreflightCheck>>().OfType<UnitControlCheck>().Single().CheckAsync(sut.Runner, default));

        Assert.All([exists, control], result =>
        {
            Assert.Equal(PreflightStatus.Failed, result.Status);
            Assert.True(result.BlocksRefresh);
            Assert.Contains("'sshd.service'", result.Detail, StringComparison.Ordinal);
            Assert.Contains("Systemd:Units:runner-1", result.Remedy, StringComparison.Ordinal);
        });
        Assert.Empty(sut.Machine.Systemctl.Calls);
    }

    [Fact]
    public async Task UnitExists_UserUnitAskedAsSystemUnit_FailsAndPointsAtSystemctlUser()
    {
        // The unit is a user unit, but the refresher asks the system manager.
        using var sut = new SystemdHarness(userUnit: true);
        sut.Get<Microsoft.Extensions.Options.IOptions<SystemdOptions>>().Value.UserUnits = false;

        var result = await CheckAsync<UnitExistsCheck>(sut);

        Assert.Equal(PreflightStatus.Failed, result.Status);
        Assert.Contains("SYSTEMCTL_USER", result.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnitExists_NoDotService_CannotTellAndSaysHowToInstall()
    {
        using var sut = new SystemdHarness();
        File.Delete(sut.Machine.Runner.File(".service"));

        var result = await CheckAsync<UnitExistsCheck>(sut);

        Assert.Equal(PreflightStatus.Unknown, result.Status);
        Assert.Contains("Systemd:Units:runner-1", result.Remedy, StringComparison.Ordinal);
        Assert.Empty(sut.Machine.Systemctl.Calls);
    }

    [Fact]
    public async Task ConfigScript_Executable_Ok()
    {
        using var sut = new SystemdHarness();

        var result = await CheckAsync<ConfigScriptCheck>(sut);

        Assert.Equal((PreflightStatus.Ok, sut.Machine.Runner.ConfigSh.ScriptPath), (result.Status, result.Detail));
    }

    [Fact]
    public async Task ConfigScript_NotExecutable_FailsAndBlocks()
    {
        using var sut = new SystemdHarness();
        File.SetUnixFileMode(sut.Machine.Runner.ConfigSh.ScriptPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        var result = await CheckAsync<ConfigScriptCheck>(sut);

        Assert.Equal(PreflightStatus.Failed, result.Status);
        Assert.True(result.BlocksRefresh);
        Assert.Contains("is not executable by this user (Permission denied)", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigScript_Missing_FailsNamingRunnerDir()
    {
        using var sut = new SystemdHarness();
        File.Delete(sut.Machine.Runner.ConfigSh.ScriptPath);

        var result = await CheckAsync<ConfigScriptCheck>(sut);

        Assert.Equal(PreflightStatus.Failed, result.Status);
        Assert.Contains("--runner-dir", result.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigScript_RootWithoutAllowRunAsRoot_FailsAsConfigShWould()
    {
        using var sut = new SystemdHarness(
            configure: o => o.AllowRunAsRoot = false,
            identity: ProcessIdentity.Current() with { IsRoot = true });

        var result = await CheckAsync<ConfigScriptCheck>(sut);

        Assert.Equal(PreflightStatus.Failed, result.Status);
        Assert.Contains("RUNNER_ALLOW_RUNASROOT", result.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_NullRunner_Throws()
    {
        using var sut = new SystemdHarness();

        foreach (var check in sut.Get<IEnumerable<IRunnerPreflightCheck>>())
        {
            await Assert.ThrowsAsync<ArgumentNullException>(() => check.CheckAsync(null!, default).AsTask());
        }
    }

    private static async Task<PreflightResult> CheckAsync<TCheck>(SystemdHarness sut)
        where TCheck : IRunnerPreflightCheck
    {
        var check = sut.Get<IEnumerable<IRunnerPreflightCheck>>().OfType<TCheck>().Single();
        Assert.False(check.GuardsRefresh);
        return Assert.Single(await check.CheckAsync(sut.Runner, default));
    }
}
