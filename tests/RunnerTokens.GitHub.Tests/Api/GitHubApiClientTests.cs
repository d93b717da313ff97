using Microsoft.Extensions.Logging;
using RunnerTokens.TestKit;
using RunnerTokens.TestKit.GitHub;

namespace RunnerTokens.GitHub.Tests.Api;

/// <summary>Faults over real HTTP, through the token issuer (the call a refresh depends on).</summary>
public sealed class GitHubApiClientTests
{
    private static readonly RunnerScope Acme = GitHubHarness.Scope("orgs/acme");

    /// <summary>
    /// How much later than the wait asked for the retried request may reach the fake API: the harness moves the fake
    /// clock on a second every 5 ms of real time until the call ends, so a request that spends 20 ms on its way over
    /// loopback on a loaded machine arrives 4 fake seconds late (CI once: 6 s late). Short of the next wait a wrong
    /// client would make (a minute without Retry-After, a retry's backoff).
    /// </summary>
    private static readonly TimeSpan HarnessSlack = TimeSpan.FromSeconds(12);

    private static async Task<GitHubHarness> StartAsync()
    {
        var h = await GitHubHarness.StartWithPatAsync();
        h.Api.AddScope("orgs/acme");
        return h;
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    public async Task SendAsync_ServerErrorBurst_RetriesAndSucceeds(int status)
    {
        await using var h = await StartAsync();
        h.Api.InjectFault(FakeFault.ServerError(status), times: 3);

        var token = await h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None);

        Assert.Equal(4, h.Api.Requests.Count);
        Assert.Equal([status, status, status, 201], h.Api.Requests.Select(r => r.StatusCode));
        Assert.Equal(h.Api.IssuedTokens.Single().Token, token.Token);
        Assert.Equal(3, h.Logs.GetSnapshot().Count(r => r.Id.Id == 300));
    }

    [Fact]
    public async Task SendAsync_ServerErrorsBeyondMaxRetryAttempts_FailsAfterAllAttempts()
    {
        await using var h = await StartAsync();
        h.Options.MaxRetryAttempts = 2;
        h.Api.InjectFault(FakeFault.ServerError(503), times: 10);

        var error = await Assert.ThrowsAsync<GitHubApiException>(() => h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None));

        Assert.Equal(3, h.Api.Requests.Count);
        Assert.Equal(503, error.StatusCode);
        Assert.Equal(RefreshFailureKind.Transient, error.Kind);
        Assert.Contains("GitHub failed on POST /orgs/acme/actions/runners/registration-token (503", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_ServerErrors_WaitExponentiallyWithJitter()
    {
        await using var h = await StartAsync();
        h.Options.RetryDelay = TimeSpan.FromSeconds(2);
        h.Api.InjectFault(FakeFault.ServerError(502), times: 3);

        await h.RunAsync(h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None), TimeSpan.FromMilliseconds(250));

        var at = h.Api.Requests.Select(r => r.ReceivedAt).ToList();
        var waits = at.Zip(at.Skip(1), (a, b) => b - a).ToList();
        Assert.Equal(3, waits.Count);
        // Decorrelated jitter: each wait is random around 2 s x 2^n, never zero, never above the 1-minute cap.
        Assert.All(waits, w => Assert.InRange(w, TimeSpan.FromSeconds(0.1), TimeSpan.FromSeconds(61)));
        Assert.True(waits.Aggregate(TimeSpan.Zero, (a, b) => a + b) >= TimeSpan.FromSeconds(1), $"waits {string.Join(", ", waits)} too short");
    }

    [Theory]
    [InlineData(401, "Bad credentials")]
    [InlineData(403, "Resource not accessible by integration")]
    [InlineData(403, "Must have admin rights to Repository.")]
    [InlineData(404, "Not Found")]
    [InlineData(422, "Validation Failed")]
    public async Task SendAsync_ClientError_IsNotRetriedAndIsPermanent(int status, string message)
    {
        await using var h = await StartAsync();
        h.Api.InjectFault(FakeFault.Status(status, message), times: 5);

        var error = await Assert.ThrowsAsync<GitHubApiException>(() => h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None));

        Assert.Single(h.Api.Requests);
        Assert.Equal(status, error.StatusCode);
        Assert.Null(error.RetryAfter);
        Assert.Equal(RefreshFailureKind.Permanent, error.Kind);
        Assert.DoesNotContain(h.Logs.GetSnapshot(), r => r.Id.Id is 300 or 301);
    }

    [Theory]
    [InlineData(403)]
    [InlineData(429)]
    public async Task SendAsync_SecondaryRateLimitWithRetryAfter_WaitsThatLongThenSucceeds(int status)
    {
        await using var h = await StartAsync();
        h.Api.InjectFault(FakeFault.SecondaryRateLimit(status, retryAfterSeconds: 42));

        var token = await h.RunAsync(h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None));

        Assert.Equal([status, 201], h.Api.Requests.Select(r => r.StatusCode));
        var waited = h.Api.Requests[1].ReceivedAt - h.Api.Requests[0].ReceivedAt;
        Assert.InRange(waited, TimeSpan.FromSeconds(42), TimeSpan.FromSeconds(42) + HarnessSlack);
        Assert.NotNull(token);
        Assert.Contains(h.Logs.GetSnapshot(), r => r.Id.Id == 301 && r.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task SendAsync_SecondaryRateLimitWithoutRetryAfter_WaitsAtLeastAMinute()
    {
        await using var h = await StartAsync();
        h.Api.InjectFault(FakeFault.SecondaryRateLimit(403, retryAfterSeconds: null));

        await h.RunAsync(h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None));

        var waited = h.Api.Requests[1].ReceivedAt - h.Api.Requests[0].ReceivedAt;
        Assert.InRange(waited, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(60) + HarnessSlack);
    }

    [Fact]
    public async Task SendAsync_PrimaryRateLimit_WaitsUntilTheReset()
    {
        await using var h = await StartAsync();
        var reset = GitHubHarness.Start.AddSeconds(150);
        h.Api.InjectFault(FakeFault.PrimaryRateLimit(reset));

        await h.RunAsync(h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None));

        Assert.Equal([403, 201], h.Api.Requests.Select(r => r.StatusCode));
        Assert.InRange(h.Api.Requests[1].ReceivedAt, reset, reset + HarnessSlack);
    }

    [Fact]
    public async Task SendAsync_RateLimitBeyondMaxRateLimitWait_FailsAtOnceSayingWhenToRetry()
    {
        await using var h = await StartAsync();
        h.Options.MaxRateLimitWait = TimeSpan.FromMinutes(5);
        var reset = GitHubHarness.Start.AddMinutes(40);
        h.Api.InjectFault(FakeFault.PrimaryRateLimit(reset));

        var error = await Assert.ThrowsAsync<GitHubApiException>(() => h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None));

        Assert.Single(h.Api.Requests);
        Assert.Equal(GitHubHarness.Start, h.Time.GetUtcNow());
        Assert.Equal(reset.AddSeconds(1), error.RetryAfter);
        Assert.Contains("rate limit", error.Message, StringComparison.Ordinal);
        Assert.Contains("retry after then", error.Message, StringComparison.Ordinal);
        Assert.Contains("2026-11-25 12:40:01 UTC", error.Message, StringComparison.Ordinal);
        Assert.Contains(h.Logs.GetSnapshot(), r => r.Id.Id == 302 && r.Message.Contains("MaxRateLimitWait", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(403)]
    [InlineData(429)]
    public async Task SendAsync_PrimaryRateLimitAsEitherStatus_IsReportedAsThePrimaryLimit(int status)
    {
        await using var h = await StartAsync();
        h.Options.MaxRateLimitWait = TimeSpan.FromMinutes(5);
        h.Api.InjectFault(FakeFault.PrimaryRateLimit(GitHubHarness.Start.AddMinutes(40), status));

        var error = await Assert.ThrowsAsync<GitHubApiException>(() => h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None));

        Assert.Equal(status, error.StatusCode);
        Assert.Equal(GitHubHarness.Start.AddMinutes(40).AddSeconds(1), error.RetryAfter);
        Assert.Contains("GitHub's API rate limit for the token in GITHUB_TOKEN is used up", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secondary", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(403, 30)]
    [InlineData(429, 30)]
    [InlineData(403, null)]
    [InlineData(429, null)]
    public async Task SendAsync_SecondaryRateLimitAsEitherStatus_IsReportedAsTheSecondaryLimit(int status, int? retryAfter)
    {
        await using var h = await StartAsync();
        h.Options.MaxRateLimitWait = TimeSpan.Zero;
        h.Api.InjectFault(FakeFault.SecondaryRateLimit(status, retryAfter));

        var error = await Assert.ThrowsAsync<GitHubApiException>(() => h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None));

        Assert.Equal(status, error.StatusCode);
        Assert.Contains("GitHub's secondary rate limit stopped POST /orgs/acme/actions/runners/registration-token", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_SecondaryLimitsAddingUpBeyondTheBound_StopsWaiting()
    {
        await using var h = await StartAsync();
        h.Options.MaxRateLimitWait = TimeSpan.FromSeconds(100);
        h.Api.InjectFault(FakeFault.SecondaryRateLimit(429, retryAfterSeconds: 60), times: 3);

        var error = await Assert.ThrowsAsync<GitHubApiException>(
            () => h.RunAsync(h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None)));

        Assert.Equal(2, h.Api.Requests.Count);
        Assert.Equal(429, error.StatusCode);
        var retryAfter = Assert.NotNull(error.RetryAfter);
        Assert.InRange(retryAfter, GitHubHarness.Start.AddSeconds(120), GitHubHarness.Start.AddSeconds(125));
        Assert.Contains($"retry after {retryAfter.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_SlowAnswer_TimesOutAndRetries()
    {
        await using var h = await StartAsync();
        h.Options.RequestTimeout = TimeSpan.FromSeconds(5);
        h.Api.InjectFault(FakeFault.Slow(TimeSpan.FromSeconds(30)));

        var call = h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None);
        await WaitUntilAsync(() => h.Api.Requests.Count == 1);
        h.Time.Advance(TimeSpan.FromSeconds(5));
        var token = await call.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(2, h.Api.Requests.Count);
        Assert.Equal(201, h.Api.Requests[1].StatusCode);
        Assert.Contains(h.Logs.GetSnapshot(), r => r.Id.Id == 300 && r.Message.Contains("did not answer", StringComparison.Ordinal));
        Assert.NotNull(token);
    }

    [Fact]
    public async Task SendAsync_SlowAnswersEveryTime_FailsSayingTheTimeLimit()
    {
        await using var h = await StartAsync();
        h.Options.RequestTimeout = TimeSpan.FromSeconds(5);
        h.Options.MaxRetryAttempts = 1;
        h.Api.InjectFault(FakeFault.Slow(TimeSpan.FromSeconds(30)), times: 2);

        var call = h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None);
        await WaitUntilAsync(() => h.Api.Requests.Count == 1);
        h.Time.Advance(TimeSpan.FromSeconds(5));
        await WaitUntilAsync(() => h.Api.Requests.Count == 2);
        h.Time.Advance(TimeSpan.FromSeconds(5));
        var error = await Assert.ThrowsAsync<GitHubApiException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Contains("did not answer POST /orgs/acme/actions/runners/registration-token within 5 s (GitHub:RequestTimeout)", error.Message, StringComparison.Ordinal);
        Assert.Null(error.StatusCode);
    }

    [Fact]
    public async Task SendAsync_BadJsonOnce_RetriesAndSucceeds()
    {
        await using var h = await StartAsync();
        h.Api.InjectFault(FakeFault.BadJson());

        var token = await h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None);

        Assert.Equal(2, h.Api.Requests.Count);
        Assert.Equal(h.Api.IssuedTokens.Single().Token, token.Token);
    }

    [Fact]
    public async Task SendAsync_BadJsonEveryTime_FailsSayingTheJsonCannotBeRead()
    {
        await using var h = await StartAsync();
        h.Options.MaxRetryAttempts = 1;
        h.Api.InjectFault(FakeFault.BadJson(), times: 5);

        var error = await Assert.ThrowsAsync<GitHubApiException>(() => h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None));

        Assert.Contains("JSON that cannot be read", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, h.Api.Requests.Count);
    }

    [Fact]
    public async Task SendAsync_HtmlFromAProxy_FailsSayingAProxyMayBeInTheWay()
    {
        await using var h = await StartAsync();
        h.Options.MaxRetryAttempts = 0;
        h.Api.InjectFault(FakeFault.Html());

        var error = await Assert.ThrowsAsync<GitHubApiException>(() => h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None));

        Assert.Contains("no JSON body (content type 'text/html')", error.Message, StringComparison.Ordinal);
        Assert.Contains("proxy", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_NothingListening_FailsAsAConnectionErrorAfterRetries()
    {
        await using var h = await StartAsync();
        h.Options.ApiUrl = "http://127.0.0.1:1/";
        h.Options.MaxRetryAttempts = 1;

        var error = await Assert.ThrowsAsync<GitHubApiException>(() => h.Issuer.CreateRegistrationTokenAsync(Acme, CancellationToken.None));

        Assert.Contains("Cannot reach http://127.0.0.1:1/", error.Message, StringComparison.Ordinal);
        Assert.Contains("HTTPS_PROXY", error.Message, StringComparison.Ordinal);
        Assert.Single(h.Logs.GetSnapshot(), r => r.Id.Id == 300);
    }

    [Fact]
    public async Task SendAsync_CallerCancels_StopsWithoutRetrying()
    {
        await using var h = await StartAsync();
        h.Api.InjectFault(FakeFault.Slow(TimeSpan.FromSeconds(30)));
        using var cancel = new CancellationTokenSource();

        var call = h.Issuer.CreateRegistrationTokenAsync(Acme, cancel.Token);
        await WaitUntilAsync(() => h.Api.Requests.Count == 1);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Single(h.Api.Requests);
    }

    [Fact]
    public void CreateHandler_Default_UsesTheEnvironmentProxyAndTheSystemCaStore()
    {
        using var handler = GitHubApiClient.CreateHandler();

        Assert.True(handler.UseProxy);
        Assert.Null(handler.Proxy); // HttpClient.DefaultProxy: HTTPS_PROXY, HTTP_PROXY, NO_PROXY
        Assert.Null(handler.SslOptions.RemoteCertificateValidationCallback);
        Assert.Null(handler.SslOptions.CertificateChainPolicy);
        Assert.False(handler.AllowAutoRedirect);
    }

    private static async Task WaitUntilAsync(Func<bool> condition) => Assert.True(await Poll.UntilAsync(condition), "condition not met within 5 s");
}
