using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RunnerTokens.Systemd.Tests.Options;

public sealed class SystemdOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Pass()
    {
        var options = Resolve(_ => { });

        Assert.Equal("systemctl", options.SystemctlPath);
        Assert.Equal(TimeSpan.FromSeconds(SystemdOptions.DefaultStopTimeoutSeconds), options.StopTimeout);
        Assert.Equal(TimeSpan.FromSeconds(120), options.ListenTimeout);
    }

    [Fact]
    public void Validate_ListenTimeoutOutOfRange_NamesSettingValueAndRange()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Resolve(o => o.ListenTimeout = TimeSpan.FromHours(2)));

        Assert.Contains("Systemd:ListenTimeout = 02:00:00 (7200 s) is not allowed: it must be from 00:00:01 (1 s) to 01:00:00 (3600 s).", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RunnerAllowRunAsRootInEnvironment_FailsNamingTheOption()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Resolve(o => o.Environment["RUNNER_ALLOW_RUNASROOT"] = "0"));

        Assert.Contains("Systemd:Environment:RUNNER_ALLOW_RUNASROOT is not allowed: set Systemd:AllowRunAsRoot=true instead", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TimeoutOutOfRange_NamesSettingValueAndRange()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Resolve(o => o.StopTimeout = TimeSpan.Zero));

        Assert.Contains("Systemd:StopTimeout = 00:00:00 (0 s) is not allowed: it must be from 00:00:01 (1 s) to 01:00:00 (3600 s).", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BadUnitName_NamesRunnerAndValue()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Resolve(o => o.Units["runner-1"] = "two words.service"));

        Assert.Contains("Systemd:Units:runner-1 = 'two words.service' is not allowed", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sshd")]
    [InlineData("actions.runner.my-org.runner-1.socket")]
    public void Validate_UnitThatIsNotAService_FailsSayingItEndsInService(string unit)
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Resolve(o => o.Units["runner-1"] = unit));

        Assert.Contains($"Systemd:Units:runner-1 = '{unit}' is not allowed: a unit name has no spaces or '/', does not start with '-' and ends in .service", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"sudo -n\"")]
    [InlineData("sudo -n;")]
    [InlineData("sudo $OPTS")]
    public void Validate_PrefixWithQuotesOrShellCharacters_FailsNamingIt(string prefix)
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Resolve(o => o.SystemctlPrefix = prefix));

        Assert.Contains($"Systemd:SystemctlPrefix = '{prefix}' is not allowed: it is split at spaces and run without a shell", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SudoPrefix_Passes()
    {
        Assert.Equal("sudo -n", Resolve(o => o.SystemctlPrefix = "sudo -n").SystemctlPrefix);
    }

    [Fact]
    public void Validate_EmptySystemctlPath_Fails()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Resolve(o => o.SystemctlPath = " "));

        Assert.Contains("Systemd:SystemctlPath", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RunnerInputVariableInEnvironment_Fails()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Resolve(o => o.Environment["ACTIONS_RUNNER_INPUT_TOKEN"] = "x"));

        Assert.Contains("Systemd:Environment:ACTIONS_RUNNER_INPUT_TOKEN is not allowed", ex.Message, StringComparison.Ordinal);
    }

    private static SystemdOptions Resolve(Action<SystemdOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddRunnerTokenRefresh().AddSystemdReconfigurer(configure);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<SystemdOptions>>().Value;
    }
}
