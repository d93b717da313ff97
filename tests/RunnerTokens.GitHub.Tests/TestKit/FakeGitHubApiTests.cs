using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using RunnerTokens.TestKit.GitHub;

namespace RunnerTokens.GitHub.Tests.TestKit;

/// <summary>The fake GitHub API refuses what GitHub refuses, so the package's tests against it can fail.</summary>
public sealed class FakeGitHubApiTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(-60, 540, HttpStatusCode.OK)]
    [InlineData(-60, 660, HttpStatusCode.Unauthorized)]
    [InlineData(30, 540, HttpStatusCode.Unauthorized)]
    [InlineData(-700, -100, HttpStatusCode.Unauthorized)]
    public async Task AppJwt_IatAndExp_AreCheckedAgainstGitHubsRules(int iatSeconds, int expSeconds, HttpStatusCode expected)
    {
        await using var api = await FakeGitHubApi.StartAsync(new FakeTimeProvider(Now));
        using var app = api.AddApp(1).AddInstallation(5, "acme");
        var jwt = Jwt(app.AppId.ToString(System.Globalization.CultureInfo.InvariantCulture), app.Key, Now.AddSeconds(iatSeconds), Now.AddSeconds(expSeconds));

        var status = await SendAsync(api, HttpMethod.Get, "orgs/acme/installation", jwt);

        Assert.Equal(expected, status);
    }

    [Fact]
    public async Task AppJwt_SignedWithAnotherKey_IsRefused()
    {
        await using var api = await FakeGitHubApi.StartAsync(new FakeTimeProvider(Now));
        using var app = api.AddApp(1).AddInstallation(5, "acme");
        using var other = RSA.Create(2048);

        var status = await SendAsync(api, HttpMethod.Get, "orgs/acme/installation", Jwt("1", other, Now.AddSeconds(-60), Now.AddMinutes(9)));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Fact]
    public async Task InstallationToken_AfterItsHour_IsRefused()
    {
        var time = new FakeTimeProvider(Now);
        await using var api = await FakeGitHubApi.StartAsync(time);
        using var app = api.AddApp(1).AddInstallation(5, "acme");
        api.AddScope("orgs/acme");
        await SendAsync(api, HttpMethod.Post, "app/installations/5/access_tokens", Jwt("1", app.Key, Now.AddSeconds(-60), Now.AddMinutes(9)));
        var token = api.IssuedTokens.Single().Token;

        var fresh = await SendAsync(api, HttpMethod.Get, "orgs/acme/actions/runners", token);
        time.Advance(TimeSpan.FromHours(1));
        var stale = await SendAsync(api, HttpMethod.Get, "orgs/acme/actions/runners", token);

        Assert.Equal(HttpStatusCode.OK, fresh);
        Assert.Equal(HttpStatusCode.Unauthorized, stale);
    }

    [Fact]
    public async Task RunnerListing_Unchanged_Answers304WithoutCountingIt()
    {
        await using var api = await FakeGitHubApi.StartAsync();
        api.AddToken("t");
        api.AddRunner("orgs/acme", "r1");
        using var client = new HttpClient { BaseAddress = api.BaseUrl };
        using var firstRequest = Request(HttpMethod.Get, "orgs/acme/actions/runners", "t");
        using var first = await client.SendAsync(firstRequest);
        var remaining = api.RateLimitRemaining;
        using var again = Request(HttpMethod.Get, "orgs/acme/actions/runners", "t");
        again.Headers.TryAddWithoutValidation("If-None-Match", first.Headers.ETag!.ToString());

        using var second = await client.SendAsync(again);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Equal(remaining, api.RateLimitRemaining);
    }

    [Fact]
    public async Task RunnerListing_RunnerHiddenFromPages_IsCountedAndFoundOnlyByName()
    {
        await using var api = await FakeGitHubApi.StartAsync();
        api.AddToken("t");
        api.AddRunner("orgs/acme", "r0");
        api.AddRunner("orgs/acme", "r1").HiddenFromPages = true;
        using var client = new HttpClient { BaseAddress = api.BaseUrl };

        var paged = await GetJsonAsync(client, "orgs/acme/actions/runners?per_page=100&page=1");
        var byName = await GetJsonAsync(client, "orgs/acme/actions/runners?name=R1");

        Assert.Equal(2, paged.GetProperty("total_count").GetInt32());
        Assert.Equal(["r0"], paged.GetProperty("runners").EnumerateArray().Select(r => r.GetProperty("name").GetString()));
        Assert.Equal(["r1"], byName.GetProperty("runners").EnumerateArray().Select(r => r.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task RunnerListing_RunnerFlags_AreListed()
    {
        await using var api = await FakeGitHubApi.StartAsync();
        api.AddToken("t");
        var runner = api.AddRunner("orgs/acme", "r1", labels: ["gpu"]);
        runner.Ephemeral = true;
        runner.RunnerGroupId = 7;
        runner.DefaultLabels = false;
        using var client = new HttpClient { BaseAddress = api.BaseUrl };

        var listed = (await GetJsonAsync(client, "orgs/acme/actions/runners")).GetProperty("runners")[0];

        Assert.True(listed.GetProperty("ephemeral").GetBoolean());
        Assert.Equal(7, listed.GetProperty("runner_group_id").GetInt64());
        Assert.Equal(["gpu:custom"], listed.GetProperty("labels").EnumerateArray().Select(l => $"{l.GetProperty("name").GetString()}:{l.GetProperty("type").GetString()}"));
    }

    [Fact]
    public async Task InjectFault_WithQueryContains_HitsOnlyMatchingQueries()
    {
        await using var api = await FakeGitHubApi.StartAsync();
        api.AddToken("t");
        api.AddScope("orgs/acme");
        api.InjectFault(FakeFault.ServerError(503), queryContains: "page=2");

        var first = await SendAsync(api, HttpMethod.Get, "orgs/acme/actions/runners?page=1", "t");
        var second = await SendAsync(api, HttpMethod.Get, "orgs/acme/actions/runners?page=2", "t");

        Assert.Equal(HttpStatusCode.OK, first);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second);
    }

    [Fact]
    public async Task Requests_AreRecordedWithTheirAnswer()
    {
        await using var api = await FakeGitHubApi.StartAsync();

        await SendAsync(api, HttpMethod.Post, "api/v3/orgs/acme/actions/runners/registration-token", "unknown");

        var request = Assert.Single(api.Requests);
        Assert.Equal("/api/v3/orgs/acme/actions/runners/registration-token", request.Path);
        Assert.Equal(401, request.StatusCode);
        Assert.Equal("unknown", request.BearerToken);
    }

    private static async Task<HttpStatusCode> SendAsync(FakeGitHubApi api, HttpMethod method, string path, string bearer)
    {
        using var client = new HttpClient { BaseAddress = api.BaseUrl };
        using var request = Request(method, path, bearer);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<System.Text.Json.JsonElement> GetJsonAsync(HttpClient client, string path)
    {
        using var request = Request(HttpMethod.Get, path, "t");
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var document = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string bearer) =>
        new(method, path) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", bearer) } };

    private static string Jwt(string issuer, RSA key, DateTimeOffset iat, DateTimeOffset exp)
    {
        static string B64(ReadOnlySpan<byte> bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
        var header = B64("""{"alg":"RS256","typ":"JWT"}"""u8);
        var payload = B64(System.Text.Encoding.UTF8.GetBytes($$"""{"iat":{{iat.ToUnixTimeSeconds()}},"exp":{{exp.ToUnixTimeSeconds()}},"iss":"{{issuer}}"}"""));
        var signature = key.SignData(System.Text.Encoding.ASCII.GetBytes(header + "." + payload), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return header + "." + payload + "." + B64(signature);
    }
}
