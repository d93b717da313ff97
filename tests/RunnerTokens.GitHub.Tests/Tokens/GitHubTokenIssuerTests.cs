namespace RunnerTokens.GitHub.Tests.Tokens;

public sealed class GitHubTokenIssuerTests
{
    [Theory]
    [InlineData("orgs/acme")]
    [InlineData("repos/octo/app")]
    [InlineData("enterprises/megacorp")]
    public async Task CreateRegistrationTokenAsync_EachScope_PostsToItsEndpointAndReturnsTheToken(string scopePath)
    {
        // arrange
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddScope(scopePath);

        // act
        var token = await h.Issuer.CreateRegistrationTokenAsync(GitHubHarness.Scope(scopePath), CancellationToken.None);

        // assert
        var request = Assert.Single(h.Api.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal($"/{scopePath}/actions/runners/registration-token", request.Path);
        Assert.Equal($"Bearer {GitHubHarness.Pat}", request.Header("authorization"));
        var issued = Assert.Single(h.Api.IssuedTokens);
        Assert.Equal(issued.Token, token.Token);
        Assert.Equal(issued.ExpiresAt, token.ExpiresAt);
        Assert.DoesNotContain(GitHubHarness.Pat, h.AllLogText(), StringComparison.Ordinal);
        Assert.DoesNotContain(token.Token, h.AllLogText(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("orgs/acme")]
    [InlineData("repos/octo/app")]
    [InlineData("enterprises/megacorp")]
    public async Task CreateRemoveTokenAsync_EachScope_PostsToRemoveTokenEndpoint(string scopePath)
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddScope(scopePath);

        var token = await h.Issuer.CreateRemoveTokenAsync(GitHubHarness.Scope(scopePath), CancellationToken.None);

        Assert.Equal($"/{scopePath}/actions/runners/remove-token", Assert.Single(h.Api.Requests).Path);
        Assert.Equal("remove", Assert.Single(h.Api.IssuedTokens).Kind);
        Assert.Equal(h.Api.IssuedTokens[0].Token, token.Token);
    }

    [Theory]
    [InlineData("https://github.com/acme", "https://api.github.com", "/orgs/acme")]
    [InlineData("https://github.com/octo/app", "https://api.github.com", "/repos/octo/app")]
    [InlineData("https://github.com/enterprises/megacorp", "https://api.github.com", "/enterprises/megacorp")]
    [InlineData("https://octocorp.ghe.com/acme", "https://api.octocorp.ghe.com", "/orgs/acme")]
    [InlineData("https://octocorp.ghe.com/enterprises/megacorp", "https://api.octocorp.ghe.com", "/enterprises/megacorp")]
    [InlineData("https://ghes.example.com/octo/app", "https://ghes.example.com", "/api/v3/repos/octo/app")]
    [InlineData("https://ghes.example.com:8443/enterprises/megacorp", "https://ghes.example.com:8443", "/api/v3/enterprises/megacorp")]
    public async Task CreateRegistrationTokenAsync_NoApiUrl_CallsTheApiDerivedFromTheRunnerUrl(string runnerUrl, string host, string path)
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Options.ApiUrl = null;
        h.RouteEveryHostToFake = true;
        h.Api.AddScope(path.Replace("/api/v3", string.Empty, StringComparison.Ordinal).TrimStart('/'));

        var token = await h.Issuer.CreateRegistrationTokenAsync(RunnerScope.Parse(runnerUrl), CancellationToken.None);

        var request = Assert.Single(h.Api.Requests);
        Assert.Equal(host, request.Header("X-Original-Host"));
        Assert.Equal(path + "/actions/runners/registration-token", request.Path);
        Assert.Equal(201, request.StatusCode);
        Assert.Equal(h.Api.IssuedTokens.Single().Token, token.Token);
    }

    [Fact]
    public async Task CreateRegistrationTokenAsync_GhesRunnerUrl_UsesApiV3OnTheSameHost()
    {
        // The runner URL points at the fake's host, which is not github.com: a GitHub Enterprise Server.
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Options.ApiUrl = null;
        h.Api.AddScope("orgs/acme");
        var scope = RunnerScope.Parse(new Uri(h.Api.BaseUrl, "acme").ToString());

        await h.Issuer.CreateRegistrationTokenAsync(scope, CancellationToken.None);

        Assert.Equal("/api/v3/orgs/acme/actions/runners/registration-token", Assert.Single(h.Api.Requests).Path);
    }

    [Fact]
    public async Task CreateRegistrationTokenAsync_ApiUrlWithApiV3_KeepsThePrefix()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Options.ApiUrl = h.Api.GhesApiUrl.ToString().TrimEnd('/');
        h.Api.AddScope("repos/octo/app");

        await h.Issuer.CreateRegistrationTokenAsync(GitHubHarness.Scope("repos/octo/app"), CancellationToken.None);

        Assert.Equal("/api/v3/repos/octo/app/actions/runners/registration-token", Assert.Single(h.Api.Requests).Path);
    }

    [Fact]
    public async Task CreateRegistrationTokenAsync_SameScopeWhileMoreThan30MinutesLeft_ReusesTheToken()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddScope("orgs/acme");
        var scope = GitHubHarness.Scope("orgs/acme");

        var first = await h.Issuer.CreateRegistrationTokenAsync(scope, CancellationToken.None);
        h.Time.Advance(TimeSpan.FromMinutes(29));
        var second = await h.Issuer.CreateRegistrationTokenAsync(scope, CancellationToken.None);

        Assert.Same(first, second);
        Assert.Single(h.Api.RequestsTo("/registration-token"));
    }

    [Fact]
    public async Task CreateRegistrationTokenAsync_30MinutesOrLessLeft_FetchesANewToken()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddScope("orgs/acme");
        var scope = GitHubHarness.Scope("orgs/acme");

        var first = await h.Issuer.CreateRegistrationTokenAsync(scope, CancellationToken.None);
        h.Time.Advance(TimeSpan.FromMinutes(30));
        var second = await h.Issuer.CreateRegistrationTokenAsync(scope, CancellationToken.None);

        Assert.NotEqual(first.Token, second.Token);
        Assert.Equal(2, h.Api.RequestsTo("/registration-token").Count);
        Assert.Equal(GitHubHarness.Start.AddMinutes(90), second.ExpiresAt);
    }

    [Fact]
    public async Task CreateRegistrationTokenAsync_OtherScope_IsNotServedFromTheCache()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddScope("orgs/acme");
        h.Api.AddScope("orgs/other");

        var acme = await h.Issuer.CreateRegistrationTokenAsync(GitHubHarness.Scope("orgs/acme"), CancellationToken.None);
        var other = await h.Issuer.CreateRegistrationTokenAsync(GitHubHarness.Scope("orgs/other"), CancellationToken.None);

        Assert.NotEqual(acme.Token, other.Token);
        Assert.Equal(2, h.Api.RequestsTo("/registration-token").Count);
    }

    [Fact]
    public async Task CreateRegistrationTokenAsync_RegistrationAndRemove_AreCachedApart()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddScope("orgs/acme");
        var scope = GitHubHarness.Scope("orgs/acme");

        var registration = await h.Issuer.CreateRegistrationTokenAsync(scope, CancellationToken.None);
        var remove = await h.Issuer.CreateRemoveTokenAsync(scope, CancellationToken.None);

        Assert.NotEqual(registration.Token, remove.Token);
        Assert.Equal(2, h.Api.Requests.Count);
    }

    [Theory]
    [InlineData("orgs/acme", "repo", "admin:org")]
    [InlineData("repos/octo/app", "admin:org", "Administration: read and write")]
    [InlineData("enterprises/megacorp", "admin:org", "manage_runners:enterprise")]
    public async Task CreateRegistrationTokenAsync_TokenWithoutTheScope_FailsNamingThePermissionWithoutRetrying(string scopePath, string granted, string needed)
    {
        await using var h = await GitHubHarness.StartWithPatAsync(granted);
        h.Api.AddScope(scopePath);

        var error = await Assert.ThrowsAsync<GitHubApiException>(
            () => h.Issuer.CreateRegistrationTokenAsync(GitHubHarness.Scope(scopePath), CancellationToken.None));

        Assert.Equal(403, error.StatusCode);
        Assert.Contains(needed, error.Message, StringComparison.Ordinal);
        Assert.Contains("GITHUB_TOKEN", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(GitHubHarness.Pat, error.ToString(), StringComparison.Ordinal);
        Assert.Single(h.Api.Requests);
    }

    [Fact]
    public async Task CreateRegistrationTokenAsync_RejectedToken_Fails401WithoutRetryingAndWithoutTheToken()
    {
        await using var h = await GitHubHarness.StartAsync();
        h.Api.AddScope("orgs/acme");
        h.Environment["GH_TOKEN"] = "ghp_RevokedToken000000000000000000000000";

        var error = await Assert.ThrowsAsync<GitHubApiException>(
            () => h.Issuer.CreateRegistrationTokenAsync(GitHubHarness.Scope("orgs/acme"), CancellationToken.None));

        Assert.Equal(401, error.StatusCode);
        Assert.Contains("GitHub rejected the token in GH_TOKEN", error.Message, StringComparison.Ordinal);
        Assert.Contains("admin:org", error.Message, StringComparison.Ordinal);
        Assert.Contains("GITHUB_TOKEN: not set", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ghp_RevokedToken", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("ghp_RevokedToken", h.AllLogText(), StringComparison.Ordinal);
        Assert.Single(h.Api.Requests);
    }

    [Fact]
    public async Task CreateRegistrationTokenAsync_UnknownScope_Fails404WithoutRetrying()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();

        var error = await Assert.ThrowsAsync<GitHubApiException>(
            () => h.Issuer.CreateRegistrationTokenAsync(GitHubHarness.Scope("orgs/nowhere"), CancellationToken.None));

        Assert.Equal(404, error.StatusCode);
        Assert.Contains("/orgs/nowhere/actions/runners/registration-token", error.Message, StringComparison.Ordinal);
        Assert.Single(h.Api.Requests);
    }

    [Fact]
    public async Task CreateRegistrationTokenAsync_NullScope_Throws()
    {
        await using var h = await GitHubHarness.StartAsync();

        await Assert.ThrowsAsync<ArgumentNullException>(() => h.Issuer.CreateRegistrationTokenAsync(null!, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentNullException>(() => h.Issuer.CreateRemoveTokenAsync(null!, CancellationToken.None));
    }
}
