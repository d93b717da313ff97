using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using RunnerTokens.TestKit.GitHub;

namespace RunnerTokens.GitHub.Tests.TestKit;

/// <summary>
/// The fake GitHub API answers config.sh's registration calls (v2 flow, RemoteAuth) as GitHub does, and refuses what
/// GitHub refuses, so that a kit test over them can fail.
/// </summary>
public sealed class FakeGitHubApiRegistrationTests : IAsyncLifetime
{
    private const string Org = "orgs/acme";
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Now);
    private FakeGitHubApi _api = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeGitHubApi.StartAsync(_time);
        _client = new HttpClient { BaseAddress = _api.BaseUrl };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _api.DisposeAsync();
    }

    [Theory]
    [InlineData("actions/runner-registration")]
    [InlineData("api/v3/actions/runner-registration")]
    public async Task RunnerRegistration_IssuedRegistrationToken_AnswersTheTenantAndTheV2Flow(string path)
    {
        var token = _api.IssueToken(FakeGitHubApi.RegistrationKind, Org);

        var (status, body) = await SendAsync(HttpMethod.Post, path, token, Event("https://github.com/acme", "register"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("https://pipelines.actions.githubusercontent.com/", body.GetProperty("url").GetString(), StringComparison.Ordinal);
        Assert.Equal("OAuthAccessToken", body.GetProperty("token_schema").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("token").GetString()));
        Assert.True(body.GetProperty("use_v2_flow").GetBoolean());
    }

    [Theory]
    [InlineData("remove", "registration", Org, 0)]
    [InlineData("register", "remove", Org, 0)]
    [InlineData("register", "registration", "orgs/other", 0)]
    [InlineData("register", "registration", "repos/acme/app", 0)]
    [InlineData("register", "registration", Org, 61)]
    [InlineData("remove", "remove", Org, 61)]
    public async Task RunnerRegistration_TokenOfAnotherKindScopeOrExpired_Answers404(string runnerEvent, string kind, string scope, int minutesLater)
    {
        var token = _api.IssueToken(kind, scope);
        _time.Advance(TimeSpan.FromMinutes(minutesLater));

        var (status, body) = await SendAsync(HttpMethod.Post, "actions/runner-registration", token, Event("https://github.com/acme", runnerEvent));

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("Not Found", body.GetProperty("message").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("fake_reason").GetString()));
    }

    [Fact]
    public async Task RunnerRegistration_MatchingTokens_Answer200ForEachEvent()
    {
        var register = await SendAsync(HttpMethod.Post, "actions/runner-registration", _api.IssueToken("registration", "repos/acme/app"), Event("https://github.com/acme/app", "register"));
        var remove = await SendAsync(HttpMethod.Post, "actions/runner-registration", _api.IssueToken("remove", "enterprises/big"), Event("https://github.com/enterprises/big", "remove"));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (register.Status, remove.Status));
    }

    [Fact]
    public async Task RunnerRegistration_NoAuthorization_Answers401()
    {
        var (status, _) = await SendAsync(HttpMethod.Post, "actions/runner-registration", null, Event("https://github.com/acme", "register"));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Fact]
    public async Task RunnerGroups_Organization_ListsDefaultFirstAndAddedGroups()
    {
        var gpu = _api.AddRunnerGroup(Org, "gpu");

        var (status, body) = await SendAsync(HttpMethod.Get, "orgs/acme/actions/runner-groups", _api.IssueToken("registration", Org));

        Assert.Equal(HttpStatusCode.OK, status);
        var groups = body.GetProperty("runner_groups").EnumerateArray().Select(g => (g.GetProperty("id").GetInt32(), g.GetProperty("name").GetString(), g.GetProperty("default").GetBoolean())).ToList();
        Assert.Equal([(1, "Default", true), (gpu, "gpu", false)], groups);
        Assert.Equal(gpu, _api.AddRunnerGroup(Org, "GPU"));
    }

    [Fact]
    public async Task RunnerGroups_Repository_OnlyTheDefaultGroup()
    {
        var (status, body) = await SendAsync(HttpMethod.Get, "repos/acme/app/actions/runner-groups", _api.IssueToken("registration", "repos/acme/app"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Default", Assert.Single(body.GetProperty("runner_groups").EnumerateArray()).GetProperty("name").GetString());
        Assert.Throws<ArgumentException>(() => _api.AddRunnerGroup("repos/acme/app", "gpu"));
    }

    [Fact]
    public async Task Register_NewNameThenSameNameThenReplace_AddsRefusesAndKeepsTheId()
    {
        var token = _api.IssueToken("registration", Org);
        var group = _api.AddRunnerGroup(Org, "gpu");

        var added = await SendAsync(HttpMethod.Post, "actions/runners/register", token, Registration("r1", 1, ["self-hosted", "Linux", "X64"], ["old"]));
        var id = added.Body.GetProperty("id").GetInt64();
        var again = await SendAsync(HttpMethod.Post, "actions/runners/register", token, Registration("R1", 1, [], ["x"]));
        var replaced = await SendAsync(HttpMethod.Post, "actions/runners/register", token, Registration("r1", group, [], ["gpu"], ephemeral: true, updatesDisabled: true, replaceId: id));
        var other = await SendAsync(HttpMethod.Post, "actions/runners/register", token, Registration("r2", 1, ["self-hosted"], []));

        Assert.Equal(HttpStatusCode.Created, added.Status);
        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Contains("A runner exists with the same name", again.Body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.Created, id), (replaced.Status, replaced.Body.GetProperty("id").GetInt64()));
        Assert.NotEqual(id, other.Body.GetProperty("id").GetInt64());
        var runner = _api.FindRunner(Org, id)!;
        Assert.Same(runner, _api.FindRunner(Org, "R1"));
        Assert.Equal((group, true, true, false), (runner.RunnerGroupId, runner.Ephemeral, runner.DisableUpdate, runner.DefaultLabels));
        Assert.Equal(["gpu"], runner.Labels);
        Assert.Equal("S0VZ", runner.PublicKeyModulus);
        Assert.False(string.IsNullOrEmpty(replaced.Body.GetProperty("authorization").GetProperty("client_id").GetString()));
    }

    [Theory]
    [InlineData(7, null)]
    [InlineData(1, 999L)]
    public async Task Register_UnknownGroupOrReplacingAnotherId_Answers404(int groupId, long? replaceId)
    {
        var token = _api.IssueToken("registration", Org);
        _api.AddRunner(Org, 5, "r1");

        var (status, _) = await SendAsync(HttpMethod.Post, "actions/runners/register", token, Registration("r1", groupId, [], [], replaceId: replaceId));

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Empty(_api.FindRunner(Org, 5)!.Labels);
    }

    [Fact]
    public async Task Register_RemoveToken_Answers404()
    {
        var (status, _) = await SendAsync(HttpMethod.Post, "actions/runners/register", _api.IssueToken("remove", Org), Registration("r1", 1, [], []));

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Null(_api.FindRunner(Org, "r1"));
    }

    [Theory]
    [InlineData("remove", "RemoteAuth", HttpStatusCode.NoContent)]
    [InlineData("registration", "RemoteAuth", HttpStatusCode.NotFound)]
    [InlineData("pat", "Bearer", HttpStatusCode.NoContent)]
    public async Task DeleteRunner_OnlyWithARemoveTokenOrAPat(string credential, string scheme, HttpStatusCode expected)
    {
        _api.AddRunner(Org, 42, "r1");
        _api.AddToken("ghp_pat");
        var token = credential == "pat" ? "ghp_pat" : _api.IssueToken(credential, Org);

        var (status, _) = await SendAsync(HttpMethod.Delete, "orgs/acme/actions/runners/42", token, scheme: scheme);

        Assert.Equal(expected, status);
        Assert.Equal(expected != HttpStatusCode.NoContent, _api.FindRunner(Org, 42) is not null);
    }

    [Fact]
    public async Task ListRunners_RemoteAuth_ShowsGroupEphemeralAndDefaultLabelsOnlyWhenRegistered()
    {
        var runner = _api.AddRunner(Org, 42, "r1");
        runner.RunnerGroupId = _api.AddRunnerGroup(Org, "gpu");
        runner.Ephemeral = true;
        runner.DefaultLabels = false;
        runner.Labels.Add("gpu");

        var (status, body) = await SendAsync(HttpMethod.Get, "orgs/acme/actions/runners?name=R1", _api.IssueToken("registration", Org));

        Assert.Equal(HttpStatusCode.OK, status);
        var listed = Assert.Single(body.GetProperty("runners").EnumerateArray());
        Assert.Equal(runner.RunnerGroupId, listed.GetProperty("runner_group_id").GetInt32());
        Assert.True(listed.GetProperty("ephemeral").GetBoolean());
        Assert.Equal([("gpu", "custom")], listed.GetProperty("labels").EnumerateArray().Select(l => (l.GetProperty("name").GetString(), l.GetProperty("type").GetString())));
    }

    [Fact]
    public async Task ListRunners_RemoteAuthRemoveToken_Answers404()
    {
        var (status, _) = await SendAsync(HttpMethod.Get, "orgs/acme/actions/runners", _api.IssueToken("remove", Org));

        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public void IssueTokenAndAddRunner_BadArguments_Throw()
    {
        _api.AddRunner(Org, 42, "r1");

        Assert.Throws<ArgumentException>(() => _api.IssueToken("installation", Org));
        Assert.Throws<ArgumentException>(() => _api.IssueToken("remove", " "));
        Assert.Throws<ArgumentException>(() => _api.AddRunner("orgs/other", 42, "r2"));
        Assert.Null(FakeGitHubApi.ScopeOfUrl("https://github.com/a/b/c"));
        Assert.Equal("enterprises/big", FakeGitHubApi.ScopeOfUrl("https://ghes.example.com:8443/enterprises/big"));
    }

    [Fact]
    public void IssueToken_IsListedWithItsExpiryOnTheFakesClock()
    {
        var token = _api.IssueToken("remove", "repos/acme/app");

        var issued = Assert.Single(_api.IssuedTokens);
        Assert.Equal(("remove", "repos/acme/app", token, Now + FakeGitHubApi.TokenLifetime), (issued.Kind, issued.Scope, issued.Token, issued.ExpiresAt));
    }

    private static JsonObject Event(string url, string runnerEvent) => new() { ["url"] = url, ["runner_event"] = runnerEvent };

    private static JsonObject Registration(string name, int groupId, string[] system, string[] user, bool ephemeral = false, bool updatesDisabled = false, long? replaceId = null)
    {
        var labels = new JsonArray([.. system.Select(l => Label(l, "system")), .. user.Select(l => Label(l, "user"))]);
        var body = new JsonObject
        {
            ["url"] = "https://github.com/acme",
            ["group_id"] = groupId,
            ["name"] = name,
            ["version"] = "2.336.0",
            ["updates_disabled"] = updatesDisabled,
            ["ephemeral"] = ephemeral,
            ["labels"] = labels,
            ["public_key"] = "<RSAKeyValue><Modulus>S0VZ</Modulus><Exponent>AQAB</Exponent></RSAKeyValue>",
        };
        if (replaceId is { } id)
        {
            body["runner_id"] = id;
            body["replace"] = true;
        }

        return body;

        static JsonNode Label(string name, string type) => new JsonObject { ["id"] = 0, ["name"] = name, ["type"] = type };
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string? token, JsonNode? json = null, string scheme = "RemoteAuth")
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue(scheme, token);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var response = await _client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
        return (response.StatusCode, document.RootElement.Clone());
    }
}
