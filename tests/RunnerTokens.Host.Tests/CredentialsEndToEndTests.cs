using RunnerTokens.TestKit.GitHub;

namespace RunnerTokens.Host.Tests;

public sealed class CredentialsEndToEndTests
{
    [Fact]
    public async Task TokenFileFlag_IsUsedInsteadOfTheEnvironment()
    {
        await using var e2e = await EndToEnd.StartAsync();
        var file = Path.Combine(e2e.Machine.RootPath, "github-token");
        await File.WriteAllTextAsync(file, EndToEnd.Token + "\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var environment = e2e.Environment;
        environment["GITHUB_TOKEN"] = "ghp_wrong_token_that_the_fake_refuses";

        var result = await HostProcess.RunAsync(e2e.Arguments("--check-and-refresh", "--token-file", file), environment);

        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        Assert.Single(e2e.Api.IssuedTokens, t => t.Kind == "registration");
    }

    [Fact]
    public async Task CredentialsDirectory_AsSystemdLoadCredentialSetsIt_IsUsed()
    {
        await using var e2e = await EndToEnd.StartAsync();
        var credentials = Path.Combine(e2e.Machine.RootPath, "credentials");
        Directory.CreateDirectory(credentials);
        await File.WriteAllTextAsync(Path.Combine(credentials, "github-token"), EndToEnd.Token);
        var environment = e2e.Environment;
        environment["GITHUB_TOKEN"] = null;
        environment["CREDENTIALS_DIRECTORY"] = credentials;

        var result = await HostProcess.RunAsync(e2e.Arguments("--check-and-refresh"), environment);

        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
    }

    [Fact]
    public async Task GitHubAppFlags_SignAJwtAndGetAnInstallationToken()
    {
        await using var e2e = await EndToEnd.StartAsync();
        var (app, flags, environment) = InstallApp(e2e);
        using var _app = app;

        var result = await HostProcess.RunAsync(e2e.Arguments(["--check-and-refresh", .. flags]), environment);

        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        Assert.Contains(e2e.Api.Requests, r => r.Path.EndsWith("/app/installations/987/access_tokens", StringComparison.Ordinal));
        Assert.Single(e2e.Api.IssuedTokens, t => t.Kind == "registration");
        Assert.DoesNotContain(app.PrivateKeyPem.Split('\n')[1], result.StandardOutput + result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GitHubApp_TwoRunsWithinTheHour_FetchOneInstallationTokenKeptSealedOwnerOnly()
    {
        // arrange: a refresh fetches an installation token; the next run, under the registration policy, asks GitHub
        await using var e2e = await EndToEnd.StartAsync();
        var (app, flags, environment) = InstallApp(e2e);
        using var _app = app;
        var first = await HostProcess.RunAsync(e2e.Arguments(["--check-and-refresh", .. flags]), environment);

        // act
        var second = await HostProcess.RunAsync(e2e.Arguments(["--check-and-refresh", "--policy", "registration", .. flags]), environment);

        // assert: the second run asked GitHub with the first run's installation token, which is nowhere in clear
        Assert.True(first.ExitCode == 0, first.StandardOutput + first.StandardError);
        Assert.True(second.ExitCode == 0, second.StandardOutput + second.StandardError);
        var installationToken = Assert.Single(e2e.Api.IssuedTokens, t => t.Kind == "installation").Token;
        Assert.Contains(e2e.Api.Requests, r => r.Path.EndsWith("/actions/runners", StringComparison.Ordinal) && r.Query.Contains("name=", StringComparison.Ordinal) && r.BearerToken == installationToken);
        var file = Path.Combine(e2e.Machine.StateDirectory, "github-app-tokens.json");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        foreach (var written in Directory.EnumerateFiles(e2e.Machine.StateDirectory, "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain(installationToken, File.ReadAllText(written), StringComparison.Ordinal);
        }

        Assert.DoesNotContain(installationToken, first.StandardOutput + first.StandardError + second.StandardOutput + second.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--api-url", "not a url", "--api-url 'not a url' is not allowed")]
    [InlineData("--installation-id", "abc", "--installation-id 'abc' is not allowed")]
    public async Task BadGitHubFlag_Exits2NamingIt(string flag, string value, string message)
    {
        var result = await HostProcess.RunAsync(["--check-and-refresh", "--runner-dir", "samples/actions-runner", flag, value]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.StandardError, StringComparison.Ordinal);
    }

    // The App 123456, installed on my-org as 987, with its key in a file; no token in the environment, so only the App serves.
    private static (FakeGitHubApp App, string[] Flags, Dictionary<string, string?> Environment) InstallApp(EndToEnd e2e)
    {
        var app = e2e.Api.AddApp(123456).AddInstallation(987, "my-org");
        var key = app.WritePrivateKey(Path.Combine(e2e.Machine.RootPath, "app.pem"));
        var environment = e2e.Environment;
        environment["GITHUB_TOKEN"] = null;
        return (app, ["--app-id", "123456", "--app-key-file", key], environment);
    }
}
