using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RunnerTokens.TestKit.GitHub;

namespace RunnerTokens.GitHub.Tests.Credentials;

public sealed class GitHubAppAuthenticatorTests
{
    private const long AppId = 4242;
    private const long InstallationId = 77;
    private static readonly RunnerScope Acme = GitHubHarness.Scope("orgs/acme");

    private static async Task<(GitHubHarness Harness, FakeGitHubApp App)> StartAsync(string installedOn = "acme")
    {
        var h = await GitHubHarness.StartAsync();
        var app = h.Api.AddApp(AppId).AddInstallation(InstallationId, installedOn);
        h.Options.AppId = AppId;
        h.Options.PrivateKeyFile = app.WritePrivateKey(h.Temp.Combine("app.pem"));
        h.Api.AddScope("orgs/acme");
        h.Api.AddScope("repos/octo/app");
        h.Api.AddScope("enterprises/megacorp");
        return (h, app);
    }

    [Fact]
    public async Task GetInstallationCredentialAsync_OrgScope_FindsTheInstallationSignsAJwtAndUsesTheInstallationToken()
    {
        // arrange
        var (h, _) = await StartAsync();
        await using var _h = h;

        // act
        var token = await h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None);

        // assert: the fake verified the JWT's signature with the App's public key, or it would have answered 401
        Assert.Equal(
            ["GET /orgs/acme/installation", $"POST /app/installations/{InstallationId}/access_tokens", "POST /orgs/acme/actions/runners/registration-token"],
            h.Api.Requests.Select(r => $"{r.Method} {r.Path}"));
        Assert.All(h.Api.Requests, r => Assert.True(r.StatusCode is 200 or 201, r.ToString()));
        var installationToken = h.Api.IssuedTokens.Single(t => t.Kind == "installation").Token;
        Assert.Equal(installationToken, h.Api.Requests[2].BearerToken);
        Assert.Equal(h.Api.IssuedTokens.Single(t => t.Kind == "registration").Token, token.Token);
        var log = h.AllLogText();
        Assert.DoesNotContain(installationToken, log, StringComparison.Ordinal);
        Assert.DoesNotContain(h.Api.Requests[0].BearerToken!, log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetInstallationCredentialAsync_Jwt_HasIatAMinuteBackExpWithinTenMinutesAndTheAppIdAsIssuer()
    {
        var (h, _) = await StartAsync();
        await using var _h = h;

        await h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None);

        var jwt = h.Api.Requests[0].BearerToken!;
        var parts = jwt.Split('.');
        Assert.Equal(3, parts.Length);
        using var header = JsonDocument.Parse(Base64UrlDecode(parts[0]));
        using var payload = JsonDocument.Parse(Base64UrlDecode(parts[1]));
        Assert.Equal("RS256", header.RootElement.GetProperty("alg").GetString());
        var now = GitHubHarness.Start.ToUnixTimeSeconds();
        Assert.Equal(now - 60, payload.RootElement.GetProperty("iat").GetInt64());
        var exp = payload.RootElement.GetProperty("exp").GetInt64();
        Assert.InRange(exp - now, 60, 600);
        Assert.Equal("4242", payload.RootElement.GetProperty("iss").GetString());
    }

    [Fact]
    public async Task GetInstallationCredentialAsync_ClientIdSet_IsTheJwtIssuer()
    {
        var (h, app) = await StartAsync();
        await using var _h = h;
        h.Options.AppId = null;
        h.Options.ClientId = app.ClientId;

        await h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None);

        using var payload = JsonDocument.Parse(Base64UrlDecode(h.Api.Requests[0].BearerToken!.Split('.')[1]));
        Assert.Equal(app.ClientId, payload.RootElement.GetProperty("iss").GetString());
        Assert.Equal(201, h.Api.Requests[^1].StatusCode);
    }

    [Fact]
    public async Task GetInstallationCredentialAsync_RepoScope_FindsTheRepositoryInstallation()
    {
        var (h, _) = await StartAsync(installedOn: "octo/app");
        await using var _h = h;

        await h.Issuer.CreateRegistrationTokenAsync(GitHubHarness.Scope("repos/octo/app"), CancellationToken.None);

        Assert.Equal("/repos/octo/app/installation", h.Api.Requests[0].Path);
        Assert.Equal(201, h.Api.Requests[^1].StatusCode);
    }

    [Fact]
    public async Task GetInstallationCredentialAsync_InstallationIdConfigured_SkipsTheLookup()
    {
        var (h, _) = await StartAsync();
        await using var _h = h;
        h.Options.InstallationId = InstallationId;

        await h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None);

        Assert.Equal($"/app/installations/{InstallationId}/access_tokens", h.Api.Requests[0].Path);
        Assert.Equal(2, h.Api.Requests.Count);
    }

    [Fact]
    public async Task GetInstallationCredentialAsync_TokenWithMoreThan5MinutesLeft_IsReused()
    {
        var (h, _) = await StartAsync();
        await using var _h = h;
        h.Api.AddRunner("orgs/acme", "r1");

        await h.BusyProbe.GetBusyStateAsync(GitHubHarness.Runner("r1"), CancellationToken.None);
        h.Time.Advance(TimeSpan.FromMinutes(54));
        await h.BusyProbe.GetBusyStateAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.Single(h.Api.RequestsTo("/access_tokens"));
        Assert.Single(h.Api.RequestsTo("/installation"));
    }

    [Fact]
    public async Task GetInstallationCredentialAsync_Within5MinutesOfExpiry_RenewsTheToken()
    {
        var (h, _) = await StartAsync();
        await using var _h = h;
        h.Api.AddRunner("orgs/acme", "r1");

        await h.BusyProbe.GetBusyStateAsync(GitHubHarness.Runner("r1"), CancellationToken.None);
        h.Time.Advance(TimeSpan.FromMinutes(55));
        await h.BusyProbe.GetBusyStateAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        var issued = h.Api.IssuedTokens.Where(t => t.Kind == "installation").ToList();
        Assert.Equal(2, issued.Count);
        Assert.Equal(issued[1].Token, h.Api.Requests[^1].BearerToken);
        Assert.Single(h.Api.RequestsTo("/installation"));
        Assert.Equal(2, h.Logs.GetSnapshot().Count(r => r.Id.Id == 305));
    }

    [Fact]
    public async Task GetInstallationCredentialAsync_TwoOrganisations_GetAnInstallationTokenEach()
    {
        var (h, app) = await StartAsync();
        await using var _h = h;
        app.AddInstallation(88, "other");
        h.Api.AddScope("orgs/other");

        await h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None);
        await h.Issuer.CreateRegistrationTokenAsync(GitHubHarness.Scope("orgs/other"), CancellationToken.None);

        Assert.Equal(2, h.Api.RequestsTo("/access_tokens").Count);
        Assert.All(h.Api.RequestsTo("/registration-token"), r => Assert.Equal(201, r.StatusCode));
    }

    [Fact]
    public async Task GetInstallationCredentialAsync_AppNotInstalled_FailsSayingToInstallIt()
    {
        var (h, _) = await StartAsync(installedOn: "someone-else");
        await using var _h = h;

        var error = await Assert.ThrowsAsync<GitHubApiException>(() => h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None));

        Assert.Equal(404, error.StatusCode);
        Assert.Contains("the GitHub App 4242 is not installed on acme", error.Message, StringComparison.Ordinal);
        Assert.Contains("Self-hosted runners: read and write", error.Message, StringComparison.Ordinal);
        Assert.Single(h.Api.Requests);
    }

    [Fact]
    public async Task GetInstallationCredentialAsync_KeyOfAnotherApp_IsRejectedByTheSignatureCheck()
    {
        var (h, _) = await StartAsync();
        await using var _h = h;
        using var stranger = h.Api.AddApp(999);
        stranger.WritePrivateKey(h.Options.PrivateKeyFile!);

        var error = await Assert.ThrowsAsync<GitHubApiException>(() => h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None));

        Assert.Equal(401, error.StatusCode);
        Assert.Contains("GitHub rejected the GitHub App 4242's JWT", error.Message, StringComparison.Ordinal);
        Assert.Contains("current private key", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(h.Api.Requests[0].BearerToken!, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetInstallationCredentialAsync_KeyFileReplacedByNoPemAfterStart_FailsNamingTheFile()
    {
        // A key file that cannot sign is refused at start (GitHubOptionsValidationTests); here it is replaced later.
        var (h, _) = await StartAsync();
        await using var _h = h;
        _ = h.Services.GetRequiredService<IOptions<GitHubOptions>>().Value;
        File.WriteAllText(h.Options.PrivateKeyFile!, "not a key");

        var error = await Assert.ThrowsAsync<GitHubApiException>(() => h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None));

        Assert.Contains($"'{h.Options.PrivateKeyFile}' holds no RSA private key in PEM form", error.Message, StringComparison.Ordinal);
        Assert.Empty(h.Api.Requests);
    }

    [Fact]
    public async Task GetInstallationCredentialAsync_KeyFileGoneAfterStart_FailsNamingTheFile()
    {
        var (h, _) = await StartAsync();
        await using var _h = h;
        File.Copy(h.Options.PrivateKeyFile!, h.Temp.Combine("nope.pem"));
        h.Options.PrivateKeyFile = h.Temp.Combine("nope.pem");
        _ = h.Services.GetRequiredService<IOptions<GitHubOptions>>().Value;
        File.Delete(h.Options.PrivateKeyFile);

        var error = await Assert.ThrowsAsync<GitHubApiException>(() => h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None));

        Assert.Contains("GitHub App private key file (GitHub:PrivateKeyFile)", error.Message, StringComparison.Ordinal);
        Assert.Contains("nope.pem' cannot be read", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_AppConfiguredAndEnterpriseScope_SkipsTheAppForTheNextCredential()
    {
        var (h, _) = await StartAsync();
        await using var _h = h;
        h.WithPat();

        await h.Issuer.CreateRegistrationTokenAsync(GitHubHarness.Scope("enterprises/megacorp"), CancellationToken.None);

        var request = Assert.Single(h.Api.Requests);
        Assert.Equal(GitHubHarness.Pat, request.BearerToken);
        Assert.Equal(201, request.StatusCode);
    }

    [Fact]
    public async Task GetAsync_AppConfiguredEnterpriseScopeAndNoToken_FailsSayingAppsCannotManageEnterpriseRunners()
    {
        var (h, _) = await StartAsync();
        await using var _h = h;

        var error = await Assert.ThrowsAsync<GitHubApiException>(
            () => h.Issuer.CreateRegistrationTokenAsync(GitHubHarness.Scope("enterprises/megacorp"), CancellationToken.None));

        Assert.Contains("GitHub App: skipped, GitHub Apps cannot manage enterprise runners", error.Message, StringComparison.Ordinal);
        Assert.Empty(h.Api.Requests);
    }

    [Fact]
    public async Task GetAsync_AppAndPat_PrefersTheApp()
    {
        var (h, _) = await StartAsync();
        await using var _h = h;
        h.WithPat();

        await h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None);

        Assert.DoesNotContain(h.Api.Requests, r => r.BearerToken == GitHubHarness.Pat);
    }

    [Fact]
    public async Task GetInstallationCredentialAsync_InstallationTokenRevoked_FetchesANewOneNextTime()
    {
        var (h, _) = await StartAsync();
        await using var _h = h;
        h.Api.InjectFault(FakeFault.Status(401, "Bad credentials"), pathContains: "/registration-token");

        await Assert.ThrowsAsync<GitHubApiException>(() => h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None));
        await h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None);

        Assert.Equal(2, h.Api.RequestsTo("/access_tokens").Count);
    }

    [Fact]
    public async Task GetInstallationCredentialAsync_AppReinstalled_LooksTheInstallationUpAgainAndWorks()
    {
        // arrange: a token fetched under installation 77, then the App is reinstalled on acme as 78
        var (h, app) = await StartAsync();
        await using var _h = h;
        await h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None);
        app.RemoveInstallation(InstallationId).AddInstallation(78, "acme");
        h.Time.Advance(TimeSpan.FromMinutes(56));

        // act: the next remove token needs a new installation token
        var token = await h.Issuer.CreateRemoveTokenAsync(Acme, CancellationToken.None);

        // assert: 77 answered 404 once, the installation was looked up again, and 78 served the call
        Assert.Equal(h.Api.IssuedTokens.Single(t => t.Kind == "remove").Token, token.Token);
        Assert.Equal(
            ["POST /app/installations/77/access_tokens 404", "GET /orgs/acme/installation 200", "POST /app/installations/78/access_tokens 201", "POST /orgs/acme/actions/runners/remove-token 201"],
            h.Api.Requests.Skip(3).Select(r => $"{r.Method} {r.Path} {r.StatusCode}"));
        Assert.Contains(h.Logs.GetSnapshot(), r => r.Id.Id == 319 && r.Message.Contains("installation 77 on acme is gone", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetInstallationCredentialAsync_AnotherProcess_TakesTheInstallationFromTheStateFolder()
    {
        // A timer or cron run is a new process: it must not look the installation up again each time.
        var (h, _) = await StartAsync();
        await using var _h = h;
        await h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None);

        var second = h.StartAnotherProcess().GetRequiredService<ITokenIssuer>();
        h.Time.Advance(TimeSpan.FromMinutes(56));
        await second.CreateRegistrationTokenAsync(Acme, CancellationToken.None);

        Assert.Single(h.Api.RequestsTo("/installation"));
        var file = Path.Combine(h.Options.StateDirectory!, InstallationMemory.FileName);
        Assert.Contains("\"4242|", File.ReadAllText(file), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.DoesNotContain(h.Api.IssuedTokens.First().Token, File.ReadAllText(file), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetInstallationCredentialAsync_AnotherProcessWithinTheHour_UsesTheTokenTheFirstFetched()
    {
        // A timer or cron run is a new process: it must not fetch an installation token in each run.
        var (h, _) = await StartAsync();
        await using var _h = h;
        await h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None);
        var installationToken = h.Api.IssuedTokens.Single(t => t.Kind == "installation").Token;

        var second = h.StartAnotherProcess();
        h.Time.Advance(TimeSpan.FromMinutes(54));
        await second.GetRequiredService<ITokenIssuer>().CreateRegistrationTokenAsync(Acme, CancellationToken.None);

        Assert.Single(h.Api.RequestsTo("/access_tokens"));
        Assert.Equal(installationToken, h.Api.Requests[^1].BearerToken);
        var file = Path.Combine(h.Options.StateDirectory!, InstallationTokenFile.FileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.DoesNotContain(installationToken, File.ReadAllText(file), StringComparison.Ordinal);
        Assert.Contains(second.GetFakeLogCollector().GetSnapshot(), r => r.Id.Id == 329);
        Assert.DoesNotContain(installationToken, h.AllLogText() + string.Join('\n', second.GetFakeLogCollector().GetSnapshot().Select(r => r.Message)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetInstallationCredentialAsync_AnotherProcessWithin5MinutesOfExpiry_FetchesANewTokenAndKeepsOnlyIt()
    {
        var (h, _) = await StartAsync();
        await using var _h = h;
        await h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None);

        var second = h.StartAnotherProcess();
        h.Time.Advance(TimeSpan.FromMinutes(55));
        await second.GetRequiredService<ITokenIssuer>().CreateRegistrationTokenAsync(Acme, CancellationToken.None);
        var third = h.StartAnotherProcess();
        h.Time.Advance(TimeSpan.FromMinutes(10));
        await third.GetRequiredService<ITokenIssuer>().CreateRegistrationTokenAsync(Acme, CancellationToken.None);

        var issued = h.Api.IssuedTokens.Where(t => t.Kind == "installation").Select(t => t.Token).ToList();
        Assert.Equal(2, issued.Count);
        Assert.Equal(issued[1], h.Api.Requests[^1].BearerToken);
        using var file = JsonDocument.Parse(File.ReadAllText(Path.Combine(h.Options.StateDirectory!, InstallationTokenFile.FileName)));
        Assert.Single(file.RootElement.GetProperty("tokens").EnumerateObject());
    }

    [Fact]
    public async Task GetInstallationCredentialAsync_SavedTokenRevoked_IsForgottenSoTheNextProcessFetchesANewOne()
    {
        var (h, _) = await StartAsync();
        await using var _h = h;
        await h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None);
        h.Api.InjectFault(FakeFault.Status(401, "Bad credentials"), pathContains: "/registration-token");

        var second = h.StartAnotherProcess().GetRequiredService<ITokenIssuer>();
        await Assert.ThrowsAsync<GitHubApiException>(() => second.CreateRegistrationTokenAsync(Acme, CancellationToken.None));
        var third = h.StartAnotherProcess().GetRequiredService<ITokenIssuer>();
        await third.CreateRegistrationTokenAsync(Acme, CancellationToken.None);

        var issued = h.Api.IssuedTokens.Where(t => t.Kind == "installation").Select(t => t.Token).ToList();
        Assert.Equal(2, issued.Count);
        Assert.Equal(issued[1], h.Api.Requests[^1].BearerToken);
    }

    [Fact]
    public async Task GetInstallationCredentialAsync_SavedTokensReadableByOthers_AreNotUsedAndTheFileIsReplacedOwnerOnly()
    {
        // arrange: a token file someone made readable to all (a copy, a chmod)
        var (h, _) = await StartAsync();
        await using var _h = h;
        await h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None);
        var file = Path.Combine(h.Options.StateDirectory!, InstallationTokenFile.FileName);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        // act
        var second = h.StartAnotherProcess();
        await second.GetRequiredService<ITokenIssuer>().CreateRegistrationTokenAsync(Acme, CancellationToken.None);

        // assert: a new token, the file mode 600 again, and a warning that names the file and its mode
        Assert.Equal(2, h.Api.RequestsTo("/access_tokens").Count);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        var warning = Assert.Single(second.GetFakeLogCollector().GetSnapshot(), r => r.Id.Id == 328);
        Assert.Contains(file, warning.Message, StringComparison.Ordinal);
        Assert.Contains("its mode is 644", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetInstallationCredentialAsync_SavedTokensNotJson_FetchesANewTokenAndSavesIt()
    {
        var (h, _) = await StartAsync();
        await using var _h = h;
        Directory.CreateDirectory(h.Options.StateDirectory!);
        var file = Path.Combine(h.Options.StateDirectory!, InstallationTokenFile.FileName);
        File.WriteAllText(file, "{\"version\": 1, \"tokens\": ");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        await h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None);
        await h.StartAnotherProcess().GetRequiredService<ITokenIssuer>().CreateRegistrationTokenAsync(Acme, CancellationToken.None);

        // The first run replaced the broken file; the second used the token it saved.
        Assert.Single(h.Api.RequestsTo("/access_tokens"));
    }

    [Fact]
    public async Task GetInstallationCredentialAsync_AppReinstalledBeforeAnotherProcess_ForgetsTheSavedInstallation()
    {
        var (h, app) = await StartAsync();
        await using var _h = h;
        await h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None);
        app.RemoveInstallation(InstallationId).AddInstallation(78, "acme");

        var second = h.StartAnotherProcess().GetRequiredService<ITokenIssuer>();
        h.Time.Advance(TimeSpan.FromMinutes(56));
        await second.CreateRegistrationTokenAsync(Acme, CancellationToken.None);
        var third = h.StartAnotherProcess().GetRequiredService<ITokenIssuer>();
        h.Time.Advance(TimeSpan.FromMinutes(56));
        await third.CreateRegistrationTokenAsync(Acme, CancellationToken.None);

        // The second run met 77's 404 and looked up 78; the third took 78 from the file.
        Assert.Equal(2, h.Api.RequestsTo("/installation").Count);
        Assert.Single(h.Api.RequestsTo("/app/installations/77/access_tokens"), r => r.StatusCode == 404);
        Assert.Equal(2, h.Api.RequestsTo("/app/installations/78/access_tokens").Count);
    }

    [Fact]
    public async Task GetInstallationCredentialAsync_AppReinstalledWhileItsTokenIsHeld_WorksOnTheNextCall()
    {
        var (h, app) = await StartAsync();
        await using var _h = h;
        await h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None);
        app.RemoveInstallation(InstallationId).AddInstallation(78, "acme");

        // The held token of 77 was revoked with the installation: this call fails, the next one works.
        var revoked = await Assert.ThrowsAsync<GitHubApiException>(() => h.Issuer.CreateRemoveTokenAsync(Acme, CancellationToken.None));
        var token = await h.Issuer.CreateRemoveTokenAsync(Acme, CancellationToken.None);

        Assert.Equal(401, revoked.StatusCode);
        Assert.Equal(h.Api.IssuedTokens.Single(t => t.Kind == "remove").Token, token.Token);
    }

    [Fact]
    public async Task GetInstallationCredentialAsync_ConfiguredInstallationGone_FailsNamingTheSettingWithoutLookingUp()
    {
        var (h, app) = await StartAsync();
        await using var _h = h;
        h.Options.InstallationId = InstallationId;
        app.RemoveInstallation(InstallationId).AddInstallation(78, "acme");

        var error = await Assert.ThrowsAsync<GitHubApiException>(() => h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None));

        Assert.Equal(404, error.StatusCode);
        Assert.Contains("check GitHub:InstallationId", error.Message, StringComparison.Ordinal);
        Assert.Empty(h.Api.RequestsTo("/installation"));
    }

    [Fact]
    public async Task GetInstallationCredentialAsync_AppUninstalled_FailsSayingItIsNotInstalled()
    {
        var (h, app) = await StartAsync();
        await using var _h = h;
        await h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None);
        app.RemoveInstallation(InstallationId);
        h.Time.Advance(TimeSpan.FromMinutes(56));

        var error = await Assert.ThrowsAsync<GitHubApiException>(() => h.Issuer.CreateRemoveTokenAsync(Acme, CancellationToken.None));

        Assert.Equal(404, error.StatusCode);
        Assert.Contains("is not installed on acme", error.Message, StringComparison.Ordinal);
        Assert.Single(h.Api.RequestsTo("/access_tokens"), r => r.StatusCode == 404);
    }

    [Fact]
    public async Task ListAsync_InstallationTokenRenewed_RevalidatesWithTheSameETagAndKeepsOneCacheEntry()
    {
        // arrange
        var (h, _) = await StartAsync();
        await using var _h = h;
        h.Api.AddRunner("orgs/acme", "r1");
        await h.BusyProbe.GetBusyStateAsync(GitHubHarness.Runner("r1"), CancellationToken.None);
        var entries = h.Client.Responses.Count;

        // act: three hourly renewals later
        for (var hour = 0; hour < 3; hour++)
        {
            h.Time.Advance(TimeSpan.FromMinutes(56));
            await h.BusyProbe.GetBusyStateAsync(GitHubHarness.Runner("r1"), CancellationToken.None);
        }

        // assert: every listing after a new token was a 304 (free against the rate limit), and the cache did not grow
        var listings = h.Api.Requests.Where(r => r.Path == "/orgs/acme/actions/runners").ToList();
        Assert.Equal([200, 304, 304, 304], listings.Select(r => r.StatusCode));
        Assert.Equal(4, h.Api.IssuedTokens.Count(t => t.Kind == "installation"));
        Assert.Equal(entries, h.Client.Responses.Count);
    }

    private static string Base64UrlDecode(string text) =>
        Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(text));
}
