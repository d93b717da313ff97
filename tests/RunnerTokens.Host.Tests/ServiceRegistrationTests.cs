using Microsoft.Extensions.DependencyInjection;

namespace RunnerTokens.Host.Tests;

/// <summary>
/// Every service the packages register is built by a factory or given as an instance, never by the container's
/// reflection over its constructors: under Native AOT that reflection was a quarter of a one-shot check's time.
/// </summary>
public sealed class ServiceRegistrationTests
{
    [Fact]
    public void EveryPackageService_IsRegisteredByFactoryOrInstance()
    {
        var services = new ServiceCollection();
        services.AddRunnerTokenRefresh().AddGitHub().AddGitHubRegistrationSource().AddSystemdReconfigurer();
        var packages = new[] { typeof(IRunnerTokenRefresher).Assembly, typeof(GitHub.GitHubOptions).Assembly, typeof(Systemd.SystemdOptions).Assembly };

        var byType = services
            .Where(d => d.ImplementationType is { } type && packages.Contains(type.Assembly))
            .Select(d => $"{d.ServiceType.Name} -> {d.ImplementationType!.Name}");

        Assert.Empty(byType);
        Assert.True(services.Count(d => d.ImplementationFactory is not null) > 40, "the packages' factory registrations are counted");
    }
}
