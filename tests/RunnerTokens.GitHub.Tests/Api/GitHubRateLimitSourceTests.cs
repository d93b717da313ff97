using Microsoft.Extensions.DependencyInjection;

namespace RunnerTokens.GitHub.Tests.Api;

/// <summary>What GitHub's answers said of the rate limit left reaches the Prometheus file per runner, from memory.</summary>
public sealed class GitHubRateLimitSourceTests
{
    [Fact]
    public async Task GetRateLimits_AfterARunnersTokenCall_GivesWhatGitHubSaidLeftOfTheBucket()
    {
        // arrange
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddScope("orgs/acme");
        h.Api.RateLimitRemaining = 1234;
        var source = Assert.Single(h.Services.GetServices<IRateLimitSource>());

        // act
        await h.Issuer.CreateRegistrationTokenAsync(GitHubHarness.Scope("orgs/acme"), CancellationToken.None);
        var limits = source.GetRateLimits(GitHubHarness.Runner("r1"));

        // assert: the fake counts the call, as GitHub does, and names the bucket core
        var limit = Assert.Single(limits);
        Assert.Equal("core", limit.Resource);
        Assert.Equal(1233, limit.Remaining);
    }

    [Fact]
    public async Task GetRateLimits_RunnerOfAnotherScope_GetsNothing()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddScope("orgs/acme");
        await h.Issuer.CreateRegistrationTokenAsync(GitHubHarness.Scope("orgs/acme"), CancellationToken.None);

        var limits = Assert.Single(h.Services.GetServices<IRateLimitSource>()).GetRateLimits(GitHubHarness.Runner("r1", "orgs/other"));

        Assert.Empty(limits);
    }

    [Fact]
    public async Task GetRateLimits_AfterARateLimitedAnswer_GivesZero()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "r1");
        h.Options.MaxRateLimitWait = TimeSpan.Zero;
        h.Api.ExhaustRateLimit(GitHubHarness.Start.AddMinutes(40));

        await Assert.ThrowsAsync<GitHubApiException>(() => h.Issuer.CreateRegistrationTokenAsync(GitHubHarness.Scope("orgs/acme"), CancellationToken.None));

        var limit = Assert.Single(Assert.Single(h.Services.GetServices<IRateLimitSource>()).GetRateLimits(GitHubHarness.Runner("r1")));
        Assert.Equal(0, limit.Remaining);
    }

    [Fact]
    public async Task GetRateLimits_NoCallMade_GivesNothing()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();

        Assert.Empty(Assert.Single(h.Services.GetServices<IRateLimitSource>()).GetRateLimits(GitHubHarness.Runner("r1")));
    }

    [Fact]
    public async Task GetRateLimits_NullRunner_Throws()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();

        Assert.Throws<ArgumentNullException>(() => Assert.Single(h.Services.GetServices<IRateLimitSource>()).GetRateLimits(null!));
    }
}
