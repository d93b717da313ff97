using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RunnerTokens.Systemd.Tests.DependencyInjection;

public sealed class SystemdRunnerTokenRefreshBuilderExtensionsTests
{
    [Fact]
    public void AddSystemdReconfigurer_CalledTwice_AddsEachServiceOnce()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var builder = services.AddRunnerTokenRefresh();

        builder.AddSystemdReconfigurer().AddSystemdReconfigurer(o => o.UserUnits = true);
        using var provider = services.BuildServiceProvider();

        Assert.Single(services, d => d.ServiceType == typeof(IRunnerReconfigurer));
        Assert.IsType<SystemdReconfigurer>(provider.GetRequiredService<IRunnerReconfigurer>());
        Assert.Single(provider.GetServices<IRefreshRecovery>());
        Assert.Single(provider.GetServices<IExpirySource>(), s => s is ListenerLogExpirySource);
        Assert.Single(provider.GetServices<IValidateOptions<SystemdOptions>>(), v => v is SystemdOptionsValidator);
        Assert.True(provider.GetRequiredService<IOptions<SystemdOptions>>().Value.UserUnits);
    }

    [Fact]
    public void AddSystemdReconfigurer_ConfigurationSection_BindsEveryOption()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Systemd:SystemctlPath"] = "/usr/bin/systemctl",
            ["Systemd:SystemctlPrefix"] = "sudo -n",
            ["Systemd:UserUnits"] = "true",
            ["Systemd:AllowRunAsRoot"] = "true",
            ["Systemd:Units:runner-1"] = "actions.runner.my-org.runner-1.service",
            ["Systemd:Environment:https_proxy"] = "http://proxy:3128",
            ["Systemd:StopTimeout"] = "00:02:00",
            ["Systemd:ConfigTimeout"] = "00:03:00",
            ["Systemd:SystemctlTimeout"] = "00:00:20",
            ["Systemd:RollbackTimeout"] = "00:04:00",
            ["Systemd:ListenTimeout"] = "00:05:00",
        }).Build();
        var services = new ServiceCollection();

        services.AddRunnerTokenRefresh().AddSystemdReconfigurer(configuration.GetSection("Systemd"));
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<SystemdOptions>>().Value;

        Assert.Equal("/usr/bin/systemctl", options.SystemctlPath);
        Assert.Equal("sudo -n", options.SystemctlPrefix);
        Assert.True(options.UserUnits);
        Assert.True(options.AllowRunAsRoot);
        Assert.Equal("actions.runner.my-org.runner-1.service", options.Units["RUNNER-1"]);
        Assert.Equal("http://proxy:3128", options.Environment["https_proxy"]);
        Assert.Equal(TimeSpan.FromMinutes(2), options.StopTimeout);
        Assert.Equal(TimeSpan.FromMinutes(3), options.ConfigTimeout);
        Assert.Equal(TimeSpan.FromSeconds(20), options.SystemctlTimeout);
        Assert.Equal(TimeSpan.FromMinutes(4), options.RollbackTimeout);
        Assert.Equal(TimeSpan.FromMinutes(5), options.ListenTimeout);
    }

    [Fact]
    public void AddSystemdReconfigurer_NullArguments_Throw()
    {
        var builder = new ServiceCollection().AddRunnerTokenRefresh();

        Assert.Throws<ArgumentNullException>(() => ((IRunnerTokenRefreshBuilder)null!).AddSystemdReconfigurer());
        Assert.Throws<ArgumentNullException>(() => builder.AddSystemdReconfigurer((Action<SystemdOptions>)null!));
        Assert.Throws<ArgumentNullException>(() => builder.AddSystemdReconfigurer((IConfigurationSection)null!));
    }
}
