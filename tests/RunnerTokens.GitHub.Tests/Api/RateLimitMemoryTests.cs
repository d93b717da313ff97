using Microsoft.Extensions.DependencyInjection;
using RunnerTokens.TestKit.GitHub;

namespace RunnerTokens.GitHub.Tests.Api;

/// <summary>A rate limit GitHub announced is kept, in the process and in the state folder, until the time GitHub named.</summary>
public sealed class RateLimitMemoryTests
{
    private static readonly RunnerScope Acme = GitHubHarness.Scope("orgs/acme");
    private static readonly DateTimeOffset Reset = GitHubHarness.Start.AddMinutes(40);

    private static async Task<GitHubHarness> StartLimitedAsync(int status = 403)
    {
        var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "r1");
        h.Options.MaxRateLimitWait = TimeSpan.FromMinutes(5);
        h.Api.ExhaustRateLimit(Reset, status);
        return h;
    }

    [Theory]
    [InlineData(403)]
    [InlineData(429)]
    public async Task SendAsync_DuringALongPrimaryLimit_LaterCallsDoNotReachGitHubUntilTheReset(int status)
    {
        // arrange
        await using var h = await StartLimitedAsync(status);
        await Assert.ThrowsAsync<GitHubApiException>(() => h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None));
        Assert.Single(h.Api.Requests);
        h.Time.Advance(TimeSpan.FromMinutes(10));

        // act: the next checks, 10 minutes on
        var again = await Assert.ThrowsAsync<GitHubApiException>(() => h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None));
        var observation = await h.ExpirySource.ObserveAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        // assert: nothing sent; the operator reads until when, and why
        Assert.Single(h.Api.Requests);
        Assert.Equal(
            "GitHub rate limit for the token in GITHUB_TOKEN until 12:40:01Z (30 min 1 s); not calling GitHub before then (POST /orgs/acme/actions/runners/registration-token not sent).",
            again.Message);
        Assert.Equal(Reset.AddSeconds(1), again.RetryAfter);
        Assert.Equal(RefreshFailureKind.Transient, again.Kind);
        Assert.Equal(ExpiryObservationKind.Unknown, observation.Kind);
        Assert.Contains("GitHub rate limit for the token in GITHUB_TOKEN until 12:40:01Z", observation.Reason, StringComparison.Ordinal);

        // after the reset, calls go out again
        h.Time.Advance(TimeSpan.FromMinutes(30).Add(TimeSpan.FromSeconds(1)));
        var token = await h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None);
        Assert.Equal(h.Api.IssuedTokens.Single().Token, token.Token);
        Assert.Equal(2, h.Api.Requests.Count);
    }

    [Fact]
    public async Task SendAsync_LimitAnnouncedToAnotherProcess_IsNotCalledBeforeTheReset()
    {
        // arrange: the daemon hits the limit
        await using var h = await StartLimitedAsync();
        await Assert.ThrowsAsync<GitHubApiException>(() => h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None));

        // act: a timer or cron run starts afterwards, with nothing in memory
        var cron = h.StartAnotherProcess();
        var error = await Assert.ThrowsAsync<GitHubApiException>(
            () => cron.GetRequiredService<ITokenIssuer>().CreateRegistrationTokenAsync(Acme, CancellationToken.None));

        // assert
        Assert.Single(h.Api.Requests);
        Assert.StartsWith("GitHub rate limit for the token in GITHUB_TOKEN until 12:40:01Z (40 min 1 s); not calling GitHub before then", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_SecondaryLimitWithRetryAfter_IsRememberedAcrossProcessesForEveryEndpoint()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddRunner("orgs/acme", "r1");
        h.Options.MaxRateLimitWait = TimeSpan.Zero;
        h.Api.InjectFault(FakeFault.SecondaryRateLimit(429, retryAfterSeconds: 600));
        await Assert.ThrowsAsync<GitHubApiException>(() => h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None));

        var cron = h.StartAnotherProcess();
        var observation = await cron.GetServices<IExpirySource>().OfType<GitHubRegistrationExpirySource>().Single()
            .ObserveAsync(GitHubHarness.Runner("r1"), CancellationToken.None);

        Assert.Single(h.Api.Requests);
        Assert.Equal(ExpiryObservationKind.Unknown, observation.Kind);
        Assert.Contains("GitHub secondary rate limit for the token in GITHUB_TOKEN until 12:10:00Z (10 min)", observation.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_ShortLimit_IsWaitedInProcessThenCalled()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddScope("orgs/acme");
        h.Api.ExhaustRateLimit(GitHubHarness.Start.AddSeconds(90));

        var token = await h.RunAsync(h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None));

        Assert.Equal([403, 201], h.Api.Requests.Select(r => r.StatusCode));
        Assert.NotNull(token);
    }

    [Fact]
    public async Task Remember_StateFile_IsOwnerOnlyAndHoldsNoToken()
    {
        await using var h = await StartLimitedAsync();
        await Assert.ThrowsAsync<GitHubApiException>(() => h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None));

        var path = Path.Combine(h.Options.StateDirectory!, RateLimitMemory.FileName);
        var text = await File.ReadAllTextAsync(path);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.DoesNotContain(GitHubHarness.Pat, text, StringComparison.Ordinal);
        Assert.DoesNotContain(GitHubHarness.Pat[4..12], text, StringComparison.Ordinal);
        Assert.Contains("2026-11-25T12:40:01", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("refresher")]
    [InlineData("environment")]
    public async Task Remember_NoGitHubStateDirectory_UsesTheRefreshersStateFolder(string where)
    {
        await using var h = await StartLimitedAsync();
        var folder = h.Temp.Combine("shared-state");
        h.Options.StateDirectory = null;
        if (where == "refresher")
        {
            // As the host has them: bound and validated at start.
            h.ConfigureServices = s => s.AddSingleton(Microsoft.Extensions.Options.Options.Create(new RunnerTokenRefreshOptions { StateDirectory = folder }));
        }
        else
        {
            h.Environment["STATE_DIRECTORY"] = folder + ":/var/lib/other";
        }

        await Assert.ThrowsAsync<GitHubApiException>(() => h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None));

        Assert.True(File.Exists(Path.Combine(folder, RateLimitMemory.FileName)));
    }

    [Fact]
    public async Task Find_StateFileIsAFifo_DoesNotBlock()
    {
        await using var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddScope("orgs/acme");
        Directory.CreateDirectory(h.Options.StateDirectory!);
        var path = Path.Combine(h.Options.StateDirectory!, RateLimitMemory.FileName);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", path))
        {
            await mkfifo.WaitForExitAsync();
        }

        var token = await h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.NotNull(token);
    }
}
