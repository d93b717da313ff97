using Microsoft.Extensions.DependencyInjection;
using NSubstitute;

namespace RunnerTokens.Systemd.Tests.Preflight;

/// <summary>Whether this user may stop and start the unit, asked of sudo or polkit (the fakes, as strict as the real tools), doing neither.</summary>
public sealed class UnitControlCheckTests
{
    private const string Unit = "actions.runner.my-org.runner-1.service";

    /// <summary>This test process, as a user that is not root.</summary>
    private static ProcessIdentity NotRoot => ProcessIdentity.Current() with { IsRoot = false, NoNewPrivileges = false };

    [Fact]
    public async Task CheckAsync_SudoAllows_OkAndNothingStopped()
    {
        using var sut = new SystemdHarness(configure: o => o.SystemctlPrefix = "sudo -n", identity: NotRoot);

        var result = await CheckAsync(sut);

        Assert.Equal((PreflightStatus.Ok, $"may stop and start {Unit}"), (result.Status, result.Title));
        Assert.Equal([$"-n -l systemctl stop {Unit}", $"-n -l systemctl start {Unit}"], sut.Machine.Sudo.Calls);
        Assert.Empty(sut.Machine.Systemctl.Calls);
        Assert.True(sut.Machine.Systemctl.IsActive(Unit));
    }

    [Fact]
    public async Task CheckAsync_SudoersHasNoRule_FailsWithSudosWordsAndThePolkitWay()
    {
        using var sut = new SystemdHarness(configure: o => o.SystemctlPrefix = "sudo -n", identity: NotRoot);
        sut.Machine.Sudo.Deny();

        var result = await CheckAsync(sut);

        Assert.Equal(PreflightStatus.Failed, result.Status);
        Assert.True(result.BlocksRefresh);
        Assert.Contains($"sudo refuses `systemctl stop {Unit}`", result.Detail, StringComparison.Ordinal);
        Assert.Contains("is not allowed to execute", result.Detail, StringComparison.Ordinal);
        Assert.Contains("deploy/50-runner-token-refresh.rules", result.Remedy, StringComparison.Ordinal);
        Assert.Contains("SYSTEMCTL_PREFIX", result.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_NoNewPrivilegesSet_FailsWithoutAskingSudo()
    {
        using var sut = new SystemdHarness(configure: o => o.SystemctlPrefix = "sudo -n", identity: NotRoot with { NoNewPrivileges = true });

        var result = await CheckAsync(sut);

        Assert.Equal(PreflightStatus.Failed, result.Status);
        Assert.True(result.BlocksRefresh);
        Assert.StartsWith("sudo cannot work under no-new-privileges", result.Detail, StringComparison.Ordinal);
        Assert.Equal(UnitControlCheck.PolkitRemedy, result.Remedy);
        Assert.Empty(sut.Machine.Sudo.Calls);
    }

    [Fact]
    public async Task CheckAsync_SudoRunsUnderRealNoNewPrivileges_FailsWithSudosRefusal()
    {
        // The process that runs sudo has no-new-privileges for real (setpriv), as under the unit's hardening; the
        // refresher's own reading of the flag is left out, so sudo's own refusal is what the check must report.
        using var sut = new SystemdHarness(identity: NotRoot);
        var wrapper = Path.Combine(sut.Machine.RootPath, "nnp", "sudo");
        Directory.CreateDirectory(Path.GetDirectoryName(wrapper)!);
        File.WriteAllText(wrapper, $"#!/bin/bash\nexec setpriv --no-new-privs -- '{sut.Machine.Sudo.Path}' \"$@\"\n");
        File.SetUnixFileMode(wrapper, (UnixFileMode)0b111_101_101);
        sut.Get<Microsoft.Extensions.Options.IOptions<SystemdOptions>>().Value.SystemctlPrefix = wrapper + " -n";

        var result = await CheckAsync(sut);

        Assert.Equal(PreflightStatus.Failed, result.Status);
        Assert.Contains("sudo cannot work under no-new-privileges", result.Detail, StringComparison.Ordinal);
        Assert.Contains("\"no new privileges\" flag is set", result.Detail, StringComparison.Ordinal);
        Assert.Empty(sut.Machine.Systemctl.Calls);
    }

    [Fact]
    public async Task CheckAsync_Root_OkWithoutAskingAnyone()
    {
        using var sut = new SystemdHarness(configure: o => o.SystemctlPrefix = "sudo -n", identity: NotRoot with { IsRoot = true });
        sut.Machine.Sudo.Deny();

        var result = await CheckAsync(sut);

        Assert.Equal(PreflightStatus.Ok, result.Status);
        Assert.Empty(sut.Machine.Sudo.Calls);
        Assert.Empty(sut.Machine.Pkcheck.Calls);
    }

    [Fact]
    public async Task CheckAsync_UserUnit_OkWithoutAskingAnyone()
    {
        using var sut = new SystemdHarness(userUnit: true, identity: NotRoot);

        var result = await CheckAsync(sut);

        Assert.Equal(PreflightStatus.Ok, result.Status);
        Assert.Empty(sut.Machine.Pkcheck.Calls);
    }

    [Fact]
    public async Task CheckAsync_PolkitRuleAllows_OkAskedForThisProcessTheUnitAndEachVerb()
    {
        using var sut = new SystemdHarness(identity: NotRoot);
        sut.Machine.Pkcheck.Allow("stop", Unit);
        sut.Machine.Pkcheck.Allow("start", Unit);

        var result = await CheckAsync(sut);

        Assert.Equal((PreflightStatus.Ok, "polkit allows stop and start"), (result.Status, result.Detail));
        var process = NotRoot.PolkitProcess;
        Assert.Matches(@"^\d+,\d+,\d+$", process);
        Assert.Equal(
            [
                $"--action-id org.freedesktop.systemd1.manage-units --process {process} --detail unit {Unit} --detail verb stop",
                $"--action-id org.freedesktop.systemd1.manage-units --process {process} --detail unit {Unit} --detail verb start",
            ],
            sut.Machine.Pkcheck.Calls);
    }

    [Fact]
    public async Task CheckAsync_PolkitAllowsStopOnly_FailsOnStart()
    {
        using var sut = new SystemdHarness(identity: NotRoot);
        sut.Machine.Pkcheck.Allow("stop", Unit);
        sut.Machine.Pkcheck.Deny();

        var result = await CheckAsync(sut);

        Assert.Equal(PreflightStatus.Failed, result.Status);
        Assert.Contains("does not allow this user to start it: Not authorized.", result.Detail, StringComparison.Ordinal);
        Assert.Equal(UnitControlCheck.PolkitRemedy, result.Remedy);
    }

    [Fact]
    public async Task CheckAsync_PolkitWantsAnAdminPassword_Fails()
    {
        using var sut = new SystemdHarness(identity: NotRoot);

        var result = await CheckAsync(sut);

        Assert.Equal(PreflightStatus.Failed, result.Status);
        Assert.True(result.BlocksRefresh);
        Assert.Contains("without a password", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_PolkitUnreachable_CannotTell()
    {
        using var sut = new SystemdHarness(identity: NotRoot);
        sut.Machine.Pkcheck.MakeUnreachable();

        var result = await CheckAsync(sut);

        Assert.Equal(PreflightStatus.Unknown, result.Status);
        Assert.Contains("org.freedesktop.PolicyKit1 was not provided", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_NoPkcheckInstalled_CannotTell()
    {
        using var sut = new SystemdHarness(identity: NotRoot);
        File.Delete(sut.Machine.Pkcheck.Path);
        sut.Get<Microsoft.Extensions.Options.IOptions<SystemdOptions>>().Value.Environment["PATH"] = sut.Machine.BinDirectory;

        var result = await CheckAsync(sut);

        Assert.Equal(PreflightStatus.Unknown, result.Status);
        Assert.Contains("pkcheck (polkit) is not installed", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunOnceAsync_SudoRefuses_FailsBeforeAnyTokenAndLeavesTheRunnerRunning()
    {
        // arrange: the engine with this package, a runner due for a refresh, sudo without a rule
        using var sut = new SystemdHarness(identity: NotRoot);
        sut.Machine.Sudo.Deny();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(sut.Issuer);
        services.AddSingleton(NotRoot);
        services.AddRunnerTokenRefresh(options =>
        {
            options.Policy = RefreshPolicy.Registration;
            options.MaxRetryAttempts = 1;
            options.MetricsFile = Path.Combine(sut.Machine.RootPath, "metrics.json");
            options.Runners.Add(new RunnerOptions { Directory = sut.Machine.Runner.Path, StateDirectory = sut.Machine.StateDirectory });
        }).AddSystemdReconfigurer(options =>
        {
            options.Environment["PATH"] = sut.Machine.PathVariable;
            options.AllowRunAsRoot = true;
            options.SystemctlPrefix = "sudo -n";
        });
        services.AddSingleton<IExpirySource>(new InvalidNow());
        using var provider = services.BuildServiceProvider();

        // act
        var result = Assert.Single(await provider.GetRequiredService<IRunnerTokenRefresher>().RunOnceAsync(default));

        // assert
        Assert.Equal(RefreshOutcome.Failed, result.Outcome);
        Assert.Contains("sudo refuses", result.Reason, StringComparison.Ordinal);
        Assert.Contains("no registration token was fetched", result.Reason, StringComparison.Ordinal);
        await sut.Issuer.DidNotReceiveWithAnyArgs().CreateRegistrationTokenAsync(default!, default);
        Assert.DoesNotContain(sut.Machine.Systemctl.Calls, c => c.Contains("stop", StringComparison.Ordinal));
        Assert.Empty(sut.Machine.Runner.ConfigSh.Calls);
        Assert.True(sut.Machine.Systemctl.IsActive(Unit));
    }

    private static async Task<PreflightResult> CheckAsync(SystemdHarness sut)
    {
        var check = sut.Get<IEnumerable<IRunnerPreflightCheck>>().OfType<UnitControlCheck>().Single();
        Assert.True(check.GuardsRefresh);
        return Assert.Single(await check.CheckAsync(sut.Runner, default));
    }

    private sealed class InvalidNow : IExpirySource
    {
        public ValueTask<ExpiryObservation> ObserveAsync(RunnerContext runner, CancellationToken cancellationToken) =>
            new(ExpiryObservation.Invalid("test", "the registration is gone"));
    }
}
