using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RunnerTokens.GitHub.Tests.DependencyInjection;

public sealed class GitHubRunnerTokenRefreshBuilderExtensionsTests
{
    [Fact]
    public void AddGitHub_CalledTwice_AddsEachServiceOnce()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var builder = services.AddRunnerTokenRefresh();

        builder.AddGitHub().AddGitHub(o => o.MaxRetryAttempts = 2).AddGitHubRegistrationSource().AddGitHubRegistrationSource();
        using var provider = services.BuildServiceProvider();

        Assert.Single(services, d => d.ServiceType == typeof(ITokenIssuer));
        Assert.IsType<GitHubTokenIssuer>(provider.GetRequiredService<ITokenIssuer>());
        Assert.Single(provider.GetServices<IRunnerBusyProbe>(), p => p is GitHubRunnerBusyProbe);
        Assert.Single(provider.GetServices<IExpirySource>(), s => s is GitHubRegistrationExpirySource);
        Assert.Single(provider.GetServices<IValidateOptions<GitHubOptions>>(), v => v is GitHubOptionsValidator);
        Assert.Single(services, d => d.ServiceType == typeof(GitHubApiClient));
        Assert.Same(provider.GetRequiredService<GitHubRateLimitSource>(), Assert.Single(provider.GetServices<IRateLimitSource>()));
        Assert.Equal(2, provider.GetRequiredService<IOptions<GitHubOptions>>().Value.MaxRetryAttempts);
    }

    [Fact]
    public void AddGitHub_CalledTwice_AddsOneRegistrationSource()
    {
        var services = new ServiceCollection();
        services.AddLogging();

        services.AddRunnerTokenRefresh().AddGitHub().AddGitHub().AddGitHubRegistrationSource();
        using var provider = services.BuildServiceProvider();

        Assert.IsType<GitHubRunnerRegistrationSource>(Assert.Single(provider.GetServices<IRunnerRegistrationSource>()));
    }

    [Fact]
    public void AddGitHub_WithoutRegistrationSource_AddsNoGitHubExpirySource()
    {
        var services = new ServiceCollection();
        services.AddLogging();

        services.AddRunnerTokenRefresh().AddGitHub();
        using var provider = services.BuildServiceProvider();

        Assert.DoesNotContain(provider.GetServices<IExpirySource>(), s => s is GitHubRegistrationExpirySource);
        Assert.Single(provider.GetServices<IRunnerBusyProbe>());
    }

    [Fact]
    public void AddGitHub_ConfigurationSection_BindsEveryOption()
    {
        // The credential files are checked at start: they must be there.
        using var temp = new RunnerTokens.TestKit.TempDirectory();
        using (var rsa = System.Security.Cryptography.RSA.Create(2048))
        {
            File.WriteAllText(temp.Combine("app.pem"), rsa.ExportRSAPrivateKeyPem());
        }

        File.WriteAllText(temp.Combine("token"), "ghp_unused\n");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GitHub:ApiUrl"] = "https://ghes.example.com/api/v3",
            ["GitHub:TokenFile"] = temp.Combine("token"),
            ["GitHub:AppId"] = "12345",
            ["GitHub:ClientId"] = "Iv23liabc",
            ["GitHub:PrivateKeyFile"] = temp.Combine("app.pem"),
            ["GitHub:InstallationId"] = "678",
            ["GitHub:UseGitHubCli"] = "false",
            ["GitHub:GhPath"] = "/usr/bin/gh",
            ["GitHub:RequestTimeout"] = "00:00:20",
            ["GitHub:MaxRetryAttempts"] = "6",
            ["GitHub:RetryDelay"] = "00:00:05",
            ["GitHub:MaxRateLimitWait"] = "00:10:00",
        }).Build();
        var services = new ServiceCollection();

        services.AddRunnerTokenRefresh().AddGitHub(configuration.GetSection("GitHub"));
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<GitHubOptions>>().Value;

        Assert.Equal("https://ghes.example.com/api/v3", options.ApiUrl);
        Assert.Equal(temp.Combine("token"), options.TokenFile);
        Assert.Equal(12345, options.AppId);
        Assert.Equal("Iv23liabc", options.ClientId);
        Assert.Equal(temp.Combine("app.pem"), options.PrivateKeyFile);
        Assert.Equal(678, options.InstallationId);
        Assert.False(options.UseGitHubCli);
        Assert.Equal("/usr/bin/gh", options.GhPath);
        Assert.Equal(TimeSpan.FromSeconds(20), options.RequestTimeout);
        Assert.Equal(6, options.MaxRetryAttempts);
        Assert.Equal(TimeSpan.FromSeconds(5), options.RetryDelay);
        Assert.Equal(TimeSpan.FromMinutes(10), options.MaxRateLimitWait);
    }

    [Fact]
    public void AddGitHub_Resolved_ReadsNoCredential()
    {
        // Lazy: building the services must not run gh nor call GitHub (a dry run works offline). A configured token
        // file is checked at start (it must be usable), not here.
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRunnerTokenRefresh().AddGitHub(o => o.GhPath = "/nonexistent/gh").AddGitHubRegistrationSource();

        using var provider = services.BuildServiceProvider();

        Assert.NotNull(provider.GetRequiredService<ITokenIssuer>());
        Assert.NotEmpty(provider.GetServices<IExpirySource>());
    }

    [Fact]
    public void AddGitHub_NullArguments_Throw()
    {
        var builder = new ServiceCollection().AddRunnerTokenRefresh();

        Assert.Throws<ArgumentNullException>(() => ((IRunnerTokenRefreshBuilder)null!).AddGitHub());
        Assert.Throws<ArgumentNullException>(() => ((IRunnerTokenRefreshBuilder)null!).AddGitHubRegistrationSource());
        Assert.Throws<ArgumentNullException>(() => builder.AddGitHub((Action<GitHubOptions>)null!));
        Assert.Throws<ArgumentNullException>(() => builder.AddGitHub((IConfigurationSection)null!));
    }
}
