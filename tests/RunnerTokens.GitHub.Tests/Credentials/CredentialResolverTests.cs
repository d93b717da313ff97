using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RunnerTokens.GitHub.Tests.Credentials;

public sealed class CredentialResolverTests
{
    private const string FileToken = "ghp_FromTheTokenFile00000000000000000001";
    private const string GhToken = "gho_FromTheGitHubCli0000000000000000000001";
    private const string EnvToken = "ghp_FromTheEnvironment000000000000000001";
    private static readonly RunnerScope Acme = GitHubHarness.Scope("orgs/acme");

    [Fact]
    public async Task GetAsync_NoCredentialAnywhere_FailsListingEveryKindTriedAndCallsNothing()
    {
        await using var h = await GitHubHarness.StartAsync();
        h.Api.AddScope("orgs/acme");

        var error = await Assert.ThrowsAsync<GitHubApiException>(() => h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None));

        Assert.StartsWith("No GitHub credential found for https://github.com/acme", error.Message, StringComparison.Ordinal);
        Assert.Contains("GitHub App: not configured", error.Message, StringComparison.Ordinal);
        Assert.Contains("token file: GitHub:TokenFile not set and no $CREDENTIALS_DIRECTORY", error.Message, StringComparison.Ordinal);
        Assert.Contains("GITHUB_TOKEN: not set", error.Message, StringComparison.Ordinal);
        Assert.Contains("GH_TOKEN: not set", error.Message, StringComparison.Ordinal);
        Assert.Contains("gh auth token: turned off", error.Message, StringComparison.Ordinal);
        Assert.Empty(h.Api.Requests);
    }

    [Fact]
    public async Task GetAsync_TokenFileAndEnvironment_PrefersTheFile()
    {
        await using var h = await GitHubHarness.StartAsync();
        h.Api.AddScope("orgs/acme");
        h.Api.AddToken(FileToken);
        h.Options.TokenFile = WriteSecret(h, "token", FileToken + "\n");
        h.Environment["GITHUB_TOKEN"] = EnvToken;

        await h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None);

        Assert.Equal(FileToken, Assert.Single(h.Api.Requests).BearerToken);
    }

    [Fact]
    public async Task GetAsync_TokenFileChanges_UsesTheNewToken()
    {
        await using var h = await GitHubHarness.StartAsync();
        h.Api.AddScope("orgs/acme");
        h.Api.AddRunner("orgs/acme", "r1");
        h.Api.AddToken(FileToken);
        h.Api.AddToken(EnvToken);
        h.Options.TokenFile = WriteSecret(h, "token", FileToken);

        await h.BusyProbe.GetBusyStateAsync(GitHubHarness.Runner("r1"), CancellationToken.None);
        File.WriteAllText(h.Options.TokenFile, EnvToken);
        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.BusyProbe.GetBusyStateAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.Equal([FileToken, EnvToken], h.Api.Requests.Select(r => r.BearerToken));
    }

    [Fact]
    public async Task GetAsync_ConfiguredTokenFileGoneAfterStart_FailsNamingTheFileInsteadOfFallingBack()
    {
        // A missing file is refused at start (GitHubOptionsValidationTests); here it goes away later.
        await using var h = await GitHubHarness.StartAsync();
        h.Options.TokenFile = WriteSecret(h, "missing-token", FileToken);
        h.Environment["GITHUB_TOKEN"] = EnvToken;
        _ = h.Services.GetRequiredService<IOptions<GitHubOptions>>().Value;
        File.Delete(h.Options.TokenFile);

        var error = await Assert.ThrowsAsync<GitHubApiException>(() => h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None));

        Assert.Contains($"token file (GitHub:TokenFile) '{h.Options.TokenFile}' cannot be read", error.Message, StringComparison.Ordinal);
        Assert.Empty(h.Api.Requests);
    }

    [Fact]
    public async Task GetAsync_TokenFileEmptiedAfterStart_FailsSayingItIsEmpty()
    {
        await using var h = await GitHubHarness.StartAsync();
        h.Options.TokenFile = WriteSecret(h, "token", FileToken);
        _ = h.Services.GetRequiredService<IOptions<GitHubOptions>>().Value;
        File.WriteAllText(h.Options.TokenFile, "\n");

        var error = await Assert.ThrowsAsync<GitHubApiException>(() => h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None));

        Assert.Contains("is empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_TokenFileReadableByOthers_WarnsOnceWithoutTheToken()
    {
        await using var h = await GitHubHarness.StartAsync();
        h.Api.AddScope("orgs/acme");
        h.Api.AddToken(FileToken);
        h.Options.TokenFile = WriteSecret(h, "token", FileToken);
        File.SetUnixFileMode(h.Options.TokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        await h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None);
        await h.Issuer.CreateRemoveTokenAsync(Acme, CancellationToken.None);

        var warning = Assert.Single(h.Logs.GetSnapshot(), r => r.Id.Id == 304);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("mode 604", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(FileToken, h.AllLogText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_SystemdCredentialsDirectory_UsesGithubTokenInIt()
    {
        await using var h = await GitHubHarness.StartAsync();
        h.Api.AddScope("orgs/acme");
        h.Api.AddToken(FileToken);
        var directory = Directory.CreateDirectory(h.Temp.Combine("credentials")).FullName;
        WriteSecret(h, Path.Combine("credentials", "github-token"), FileToken);
        h.Environment["CREDENTIALS_DIRECTORY"] = directory;
        h.Environment["GITHUB_TOKEN"] = EnvToken;

        await h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None);

        Assert.Equal(FileToken, Assert.Single(h.Api.Requests).BearerToken);
    }

    [Fact]
    public async Task GetAsync_CredentialsDirectoryWithoutGithubToken_FallsBackToTheEnvironment()
    {
        await using var h = await GitHubHarness.StartAsync();
        h.Api.AddScope("orgs/acme");
        h.Api.AddToken(EnvToken);
        h.Environment["CREDENTIALS_DIRECTORY"] = Directory.CreateDirectory(h.Temp.Combine("credentials")).FullName;
        h.Environment["GH_TOKEN"] = EnvToken;

        await h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None);

        Assert.Equal(EnvToken, Assert.Single(h.Api.Requests).BearerToken);
    }

    [Fact]
    public async Task GetAsync_BothVariables_PrefersGitHubTokenOverGhToken()
    {
        await using var h = await GitHubHarness.StartAsync();
        h.Api.AddScope("orgs/acme");
        h.Api.AddToken(EnvToken);
        h.Environment["GITHUB_TOKEN"] = EnvToken;
        h.Environment["GH_TOKEN"] = "ghp_NotThisOne000000000000000000000000000";

        await h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None);

        Assert.Equal(EnvToken, Assert.Single(h.Api.Requests).BearerToken);
    }

    [Fact]
    public async Task GetAsync_OnlyGhToken_UsesIt()
    {
        await using var h = await GitHubHarness.StartAsync();
        h.Api.AddScope("orgs/acme");
        h.Api.AddToken(EnvToken);
        h.Environment["GH_TOKEN"] = EnvToken;

        await h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None);

        Assert.Equal(EnvToken, Assert.Single(h.Api.Requests).BearerToken);
    }

    [Fact]
    public async Task GetAsync_GitHubCliLoggedIn_UsesItsTokenForTheRunnerHost()
    {
        await using var h = await GitHubHarness.StartAsync();
        h.Api.AddScope("orgs/acme");
        h.Api.AddToken(GhToken);
        var args = h.WriteFakeGh(GhToken);

        await h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None);
        await h.Issuer.CreateRemoveTokenAsync(Acme, CancellationToken.None);

        Assert.All(h.Api.Requests, r => Assert.Equal(GhToken, r.BearerToken));
        Assert.Equal(["auth token --hostname github.com"], File.ReadAllLines(args));
        Assert.DoesNotContain(GhToken, h.AllLogText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_GitHubCliTokenKept10Minutes_ThenAskedAgain()
    {
        await using var h = await GitHubHarness.StartAsync();
        h.Api.AddScope("orgs/acme");
        h.Api.AddRunner("orgs/acme", "r1");
        h.Api.AddToken(GhToken);
        var args = h.WriteFakeGh(GhToken);

        await h.BusyProbe.GetBusyStateAsync(GitHubHarness.Runner("r1"), CancellationToken.None);
        await h.BusyProbe.GetBusyStateAsync(GitHubHarness.Runner("r1"), CancellationToken.None);
        h.Time.Advance(TimeSpan.FromMinutes(10));
        await h.BusyProbe.GetBusyStateAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.Equal(2, File.ReadAllLines(args).Length);
    }

    [Fact]
    public async Task GetAsync_GitHubCliNotLoggedIn_FailsWithItsMessage()
    {
        await using var h = await GitHubHarness.StartAsync();
        h.WriteFakeGh(token: null, exitCode: 1, stderr: "no oauth token found for github.com");

        var error = await Assert.ThrowsAsync<GitHubApiException>(() => h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None));

        Assert.Contains("auth token --hostname github.com' exited with code 1: no oauth token found for github.com", error.Message, StringComparison.Ordinal);
        Assert.Empty(h.Api.Requests);
    }

    [Fact]
    public async Task GetAsync_GitHubCliFailsPrintingAToken_MasksItInTheError()
    {
        await using var h = await GitHubHarness.StartAsync();
        h.WriteFakeGh(token: null, exitCode: 4, stderr: "error: token " + GhToken + " is invalid");

        var error = await Assert.ThrowsAsync<GitHubApiException>(() => h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None));

        Assert.Contains("exited with code 4: error: token *** is invalid", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(GhToken, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_GitHubCliMissing_FailsSayingToInstallItOrSetGhPath()
    {
        await using var h = await GitHubHarness.StartAsync();
        h.Options.UseGitHubCli = true;
        h.Options.GhPath = h.Temp.Combine("no-such-gh");

        var error = await Assert.ThrowsAsync<GitHubApiException>(() => h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None));

        Assert.Contains("gh auth token: '" + h.Options.GhPath + "' cannot be run", error.Message, StringComparison.Ordinal);
        Assert.Contains("GitHub:GhPath", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_EnvironmentAndGitHubCli_PrefersTheEnvironmentAndNeverRunsGh()
    {
        await using var h = await GitHubHarness.StartAsync();
        h.Api.AddScope("orgs/acme");
        h.Api.AddToken(EnvToken);
        var args = h.WriteFakeGh(GhToken);
        h.Environment["GITHUB_TOKEN"] = EnvToken;

        await h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None);

        Assert.Equal(EnvToken, Assert.Single(h.Api.Requests).BearerToken);
        Assert.False(File.Exists(args));
    }

    [Fact]
    public async Task GetAsync_GheComRunner_AsksGhForThatHost()
    {
        await using var h = await GitHubHarness.StartAsync();
        h.Api.AddScope("orgs/acme");
        h.Api.AddToken(GhToken);
        var args = h.WriteFakeGh(GhToken);

        await h.Issuer.CreateRegistrationTokenAsync(RunnerScope.Parse("https://octocorp.ghe.com/acme"), CancellationToken.None);

        Assert.Equal(["auth token --hostname octocorp.ghe.com"], File.ReadAllLines(args));
    }

    [Fact]
    public async Task GetAsync_RejectedGitHubCliToken_IsAskedAgainNextTime()
    {
        await using var h = await GitHubHarness.StartAsync();
        h.Api.AddScope("orgs/acme");
        var args = h.WriteFakeGh(GhToken);

        await Assert.ThrowsAsync<GitHubApiException>(() => h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None));
        h.Api.AddToken(GhToken);
        await h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None);

        Assert.Equal(2, File.ReadAllLines(args).Length);
    }

    private static string WriteSecret(GitHubHarness h, string name, string text)
    {
        var path = h.Temp.Combine(name);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }
}
