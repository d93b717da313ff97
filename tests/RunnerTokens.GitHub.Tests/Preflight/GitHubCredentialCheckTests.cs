using Microsoft.Extensions.DependencyInjection;

namespace RunnerTokens.GitHub.Tests.Preflight;

/// <summary>The credential check makes one read-only call to the fake GitHub and never shows the token.</summary>
public sealed class GitHubCredentialCheckTests
{
    [Fact]
    public async Task CheckAsync_TokenAccepted_OkWithOneReadOnlyCallNamingTheCredentialAndScope()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "build-01");

        var result = Assert.Single(await CheckAsync(h, "build-01"));

        Assert.Equal((GitHubCredentialCheck.Title, PreflightStatus.Ok), (result.Title, result.Status));
        Assert.Equal("the token in GITHUB_TOKEN, organisation acme; GitHub lists 'build-01'", result.Detail);
        var request = Assert.Single(h.Api.Requests);
        Assert.Equal(("GET", "/orgs/acme/actions/runners"), (request.Method, request.Path));
        Assert.Contains("name=build-01", request.Query, StringComparison.Ordinal);
        Assert.Contains("per_page=1", request.Query, StringComparison.Ordinal);
        Assert.Empty(h.Api.IssuedTokens);
    }

    [Fact]
    public async Task CheckAsync_RunnerNotOnGitHub_StillOkAndSaysSo()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddScope("orgs/acme");

        var result = Assert.Single(await CheckAsync(h, "build-01"));

        Assert.Equal(PreflightStatus.Ok, result.Status);
        Assert.Contains("GitHub has no runner 'build-01'", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_DuringARememberedRateLimit_UnknownSayingUntilWhenWithoutCallingGitHub()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "build-01");
        h.Api.ExhaustRateLimit(GitHubHarness.Start.AddMinutes(40));
        h.Options.MaxRateLimitWait = TimeSpan.Zero;
        await CheckAsync(h, "build-01");

        var result = Assert.Single(await CheckAsync(h, "build-01"));

        Assert.Single(h.Api.Requests);
        Assert.Equal(PreflightStatus.Unknown, result.Status);
        Assert.StartsWith("GitHub rate limit for the token in GITHUB_TOKEN until 12:40:01Z", result.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("network", result.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_NoCredentialAtAll_FailsSayingWhatToSet()
    {
        await using var h = await GitHubHarness.StartAsync();

        var result = Assert.Single(await CheckAsync(h, "build-01"));

        Assert.Equal(PreflightStatus.Failed, result.Status);
        Assert.True(result.BlocksRefresh);
        Assert.Contains("No GitHub credential found", result.Detail, StringComparison.Ordinal);
        Assert.Equal(GitHubCredentialCheck.NoCredentialRemedy, result.Remedy);
        Assert.Contains("GITHUB_TOKEN_FILE", result.Remedy, StringComparison.Ordinal);
        Assert.Contains("LoadCredential=github-token", result.Remedy, StringComparison.Ordinal);
        Assert.Contains("GITHUB_APP_ID", result.Remedy, StringComparison.Ordinal);
        Assert.Empty(h.Api.Requests);
    }

    [Fact]
    public async Task CheckAsync_TokenRevoked_FailsAndNeverShowsTheToken()
    {
        await using var h = await GitHubHarness.StartAsync();
        const string Revoked = "ghp_RevokedTokenThatGitHubNoLongerKnows01";
        h.Environment["GITHUB_TOKEN"] = Revoked;
        h.Options.MaxRetryAttempts = 0;

        var result = Assert.Single(await CheckAsync(h, "build-01"));

        Assert.Equal(PreflightStatus.Failed, result.Status);
        Assert.True(result.BlocksRefresh);
        Assert.Contains("401", result.Detail, StringComparison.Ordinal);
        Assert.Contains("GITHUB_TOKEN_FILE", result.Remedy, StringComparison.Ordinal);
        var everything = $"{result.Title} {result.Detail} {result.Remedy} {h.AllLogText()}";
        Assert.DoesNotContain(Revoked, everything, StringComparison.Ordinal);
        Assert.DoesNotContain("RevokedTokenThat", everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_TokenLacksTheScope_FailsNamingThePermission()
    {
        await using var h = await GitHubHarness.StartWithPatAsync("repo");
        h.Options.MaxRetryAttempts = 0;

        var result = Assert.Single(await CheckAsync(h, "build-01"));

        Assert.Equal(PreflightStatus.Failed, result.Status);
        Assert.Contains("admin:org", result.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(GitHubHarness.Pat, $"{result.Detail} {result.Remedy} {h.AllLogText()}", StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_GitHubDown_CannotTell()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Options.MaxRetryAttempts = 0;
        h.Api.InjectFault(RunnerTokens.TestKit.GitHub.FakeFault.ServerError(503));

        var result = Assert.Single(await CheckAsync(h, "build-01"));

        Assert.Equal(PreflightStatus.Unknown, result.Status);
        Assert.Contains("503", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_GhCliCredential_AlsoSaysGhIsThere()
    {
        await using var h = await GitHubHarness.StartAsync();
        const string FromGh = "gho_TokenPrintedByTheGitHubCli0123456789";
        h.Api.AddToken(FromGh);
        h.Api.AddScope("orgs/acme");
        h.WriteFakeGh(FromGh);

        var results = await CheckAsync(h, "build-01");

        Assert.Equal(
            [(GitHubCredentialCheck.Title, PreflightStatus.Ok), (GitHubCredentialCheck.GhTitle, PreflightStatus.Ok)],
            results.Select(r => (r.Title, r.Status)));
        Assert.Contains("gh CLI's token", results[0].Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(FromGh, string.Join(' ', results.Select(r => r.Detail)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_GhCliMissing_FailsAndTheDetailSaysGhCannotRun()
    {
        await using var h = await GitHubHarness.StartAsync();
        h.Options.UseGitHubCli = true;
        h.Options.GhPath = h.Temp.Combine("no-such-gh");

        var result = Assert.Single(await CheckAsync(h, "build-01"));

        Assert.Equal(PreflightStatus.Failed, result.Status);
        Assert.Contains("cannot be run", result.Detail, StringComparison.Ordinal);
        Assert.Contains("gh auth login", result.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public void AddGitHub_Twice_AddsTheCheckOnce()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRunnerTokenRefresh().AddGitHub().AddGitHub();
        using var provider = services.BuildServiceProvider();

        Assert.Single(provider.GetServices<IRunnerPreflightCheck>(), c => c is GitHubCredentialCheck);
    }

    [Fact]
    public async Task CheckAsync_NullRunner_Throws()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        var check = h.Services.GetServices<IRunnerPreflightCheck>().OfType<GitHubCredentialCheck>().Single();

        await Assert.ThrowsAsync<ArgumentNullException>(() => check.CheckAsync(null!, default).AsTask());
    }

    private static async Task<IReadOnlyList<PreflightResult>> CheckAsync(GitHubHarness h, string name)
    {
        var check = h.Services.GetServices<IRunnerPreflightCheck>().OfType<GitHubCredentialCheck>().Single();
        Assert.False(check.GuardsRefresh);
        return await h.RunAsync(check.CheckAsync(GitHubHarness.Runner(name), CancellationToken.None).AsTask());
    }
}
