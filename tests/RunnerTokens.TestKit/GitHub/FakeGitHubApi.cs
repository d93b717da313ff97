using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace RunnerTokens.TestKit.GitHub;

/// <summary>
/// A fake GitHub REST API on 127.0.0.1 (Kestrel, a free port): registration and remove tokens, runner listings with
/// ETag/304, App installations and installation tokens (App JWTs verified with the App's key), for organisation,
/// repository and enterprise scopes, at the root (github.com layout) and under <c>/api/v3</c> (GitHub Enterprise Server).
/// It also models GitHub's side of <c>config.sh</c> (actions/runner 2.336.0, v2 flow, <c>Authorization: RemoteAuth</c>):
/// <c>POST /actions/runner-registration</c>, <c>GET …/actions/runner-groups</c>, <c>GET …/actions/runners?name=</c>,
/// <c>POST /actions/runners/register</c> (add, or replace keeping the id) and <c>DELETE …/actions/runners/{id}</c>,
/// accepting only registration or remove tokens it issued, unexpired, for the scope. It checks the Authorization
/// header, records every request (but the fake listener's <c>/_fake/</c> calls), and shows injected faults.
/// </summary>
public sealed class FakeGitHubApi : IAsyncDisposable
{
    /// <summary>The path prefix of GitHub Enterprise Server's API.</summary>
    public const string GhesPrefix = "/api/v3";

    /// <summary>The kind of an <see cref="IssuedToken"/> that registers a runner (<c>config.sh</c> configure).</summary>
    public const string RegistrationKind = "registration";

    /// <summary>The kind of an <see cref="IssuedToken"/> that removes a runner (<c>config.sh remove</c>).</summary>
    public const string RemoveKind = "remove";

    /// <summary>How long registration, remove and installation tokens live.</summary>
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(1);

    private const string RemoteAuthScheme = "RemoteAuth";
    private static readonly TimeSpan MaxJwtLifetime = TimeSpan.FromMinutes(10);

    private readonly WebApplication _app;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<FakeRunner>> _runners = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<(int Id, string Name, bool IsDefault)>> _groups = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string[]> _tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Installation, DateTimeOffset ExpiresAt)> _installationTokens = new(StringComparer.Ordinal);
    private readonly List<FakeGitHubApp> _apps = [];
    private readonly List<(FakeFault Fault, string? PathContains, string? QueryContains, int[] Left)> _faults = [];
    private readonly List<RecordedRequest> _requests = [];
    private readonly List<IssuedToken> _issued = [];
    private long _nextId = 1000;
    private int _nextGroupId = 2;
    private int _rateLimitRemaining = 5000;
    private (DateTimeOffset Until, int StatusCode)? _rateLimitedUntil;

    private FakeGitHubApi(WebApplication app, TimeProvider time)
    {
        _app = app;
        _time = time;
    }

    /// <summary>Gets the root, as github.com's API root: <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Gets the API root in GitHub Enterprise Server's layout: <c>http://127.0.0.1:PORT/api/v3/</c>.</summary>
    public Uri GhesApiUrl => new(BaseUrl, "api/v3/");

    /// <summary>
    /// Gets or sets a value indicating whether the runner listing ignores <c>?name=</c>, as a server older than the
    /// filter does: it answers with the page of all runners, counting them all.
    /// </summary>
    public bool IgnoreNameFilter { get; set; }

    /// <summary>Gets every request received so far, oldest first.</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Gets every registration, remove and installation token handed out, oldest first.</summary>
    public IReadOnlyList<IssuedToken> IssuedTokens
    {
        get
        {
            lock (_gate)
            {
                return [.. _issued];
            }
        }
    }

    /// <summary>Gets or sets what <c>x-ratelimit-remaining</c> says; it drops by one per answer that is not a 304.</summary>
    public int RateLimitRemaining
    {
        get
        {
            lock (_gate)
            {
                return _rateLimitRemaining;
            }
        }
        set
        {
            lock (_gate)
            {
                _rateLimitRemaining = value;
            }
        }
    }

    /// <summary>Starts the fake on a free loopback port. Token expiries and JWT checks follow <paramref name="timeProvider"/>.</summary>
    public static async Task<FakeGitHubApi> StartAsync(TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var fake = new FakeGitHubApi(app, timeProvider ?? TimeProvider.System);
        app.Run(fake.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.BaseUrl = new Uri(address.EndsWith('/') ? address : address + "/");
        return fake;
    }

    /// <summary>Accepts <paramref name="token"/> as a personal access token with the given classic scopes (all three by default).</summary>
    public void AddToken(string token, params string[] scopes)
    {
        lock (_gate)
        {
            _tokens[token] = scopes.Length > 0 ? scopes : ["admin:org", "repo", "manage_runners:enterprise"];
        }
    }

    /// <summary>Registers a GitHub App with a fresh RSA key.</summary>
    public FakeGitHubApp AddApp(long appId, string? clientId = null)
    {
        var app = new FakeGitHubApp(appId, clientId ?? $"Iv23li{appId}");
        lock (_gate)
        {
            _apps.Add(app);
        }

        return app;
    }

    /// <summary>Lists a runner in a scope (<c>orgs/acme</c>, <c>repos/owner/repo</c> or <c>enterprises/ent</c>) under a new id.</summary>
    /// <param name="scopePath">The scope.</param>
    /// <param name="name">The runner's name.</param>
    /// <param name="busy">Whether it runs a job.</param>
    /// <param name="status"><c>online</c> or <c>offline</c>.</param>
    /// <param name="labels">Its custom labels.</param>
    /// <returns>The runner, to shape further.</returns>
    public FakeRunner AddRunner(string scopePath, string name, bool busy = false, string status = "online", params string[] labels)
    {
        lock (_gate)
        {
            var runner = Add(scopePath, _nextId++, name);
            runner.Busy = busy;
            runner.Status = status;
            runner.Labels.AddRange(labels);
            return runner;
        }
    }

    /// <summary>Lists a runner under a given id, as a runner directory's <c>agentId</c> names it; set its group, labels and flags on the result.</summary>
    /// <param name="scopePath">The scope (<c>orgs/acme</c>, <c>repos/owner/repo</c>, <c>enterprises/ent</c>).</param>
    /// <param name="id">The id; no other runner may have it.</param>
    /// <param name="name">The name; no other runner of the scope may have it.</param>
    /// <returns>The runner.</returns>
    public FakeRunner AddRunner(string scopePath, long id, string name)
    {
        lock (_gate)
        {
            if (_runners.Values.SelectMany(l => l).Any(r => r.Id == id))
            {
                throw new ArgumentException($"a runner with id {id} is already listed", nameof(id));
            }

            _nextId = Math.Max(_nextId, id + 1);
            return Add(scopePath, id, name);
        }
    }

    /// <summary>Finds a runner of a scope by name (case-insensitive), as <c>GET …/actions/runners?name=</c> does.</summary>
    public FakeRunner? FindRunner(string scopePath, string name)
    {
        lock (_gate)
        {
            return _runners.TryGetValue(scopePath, out var list)
                ? list.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase))
                : null;
        }
    }

    /// <summary>Finds a runner of a scope by id.</summary>
    public FakeRunner? FindRunner(string scopePath, long id)
    {
        lock (_gate)
        {
            return _runners.TryGetValue(scopePath, out var list) ? list.FirstOrDefault(r => r.Id == id) : null;
        }
    }

    /// <summary>Gets the runners listed in a scope, in the order they were added.</summary>
    public IReadOnlyList<FakeRunner> RunnersIn(string scopePath)
    {
        lock (_gate)
        {
            return _runners.TryGetValue(scopePath, out var list) ? [.. list] : [];
        }
    }

    /// <summary>
    /// Adds a runner group to an organisation or enterprise (the <c>Default</c> group, id 1, always exists), or finds
    /// the one of that name; returns its id. Repositories have no runner groups.
    /// </summary>
    /// <param name="scopePath"><c>orgs/ORG</c> or <c>enterprises/ENT</c>.</param>
    /// <param name="name">The group's name (case-insensitive).</param>
    /// <returns>The group's id.</returns>
    public int AddRunnerGroup(string scopePath, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scopePath);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (scopePath.StartsWith("repos/", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException("repositories have no runner groups: their runners are in the Default group", nameof(scopePath));
        }

        lock (_gate)
        {
            _runners.TryAdd(scopePath, []);
            var groups = GroupsOf(scopePath);
            foreach (var group in groups)
            {
                if (string.Equals(group.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    return group.Id;
                }
            }

            var id = _nextGroupId++;
            groups.Add((id, name, false));
            return id;
        }
    }

    /// <summary>
    /// Issues a registration or remove token for a scope without HTTP, as <c>POST …/registration-token</c> does
    /// (the scope is created when missing); it is listed in <see cref="IssuedTokens"/>.
    /// </summary>
    /// <param name="kind"><see cref="RegistrationKind"/> or <see cref="RemoveKind"/>.</param>
    /// <param name="scopePath">The scope (<c>orgs/acme</c>, <c>repos/owner/repo</c>, <c>enterprises/ent</c>).</param>
    /// <param name="lifetime">How long it lives from now on the fake's clock; <see cref="TokenLifetime"/> by default, zero for one already expired.</param>
    /// <returns>The token.</returns>
    public string IssueToken(string kind, string scopePath, TimeSpan? lifetime = null) => Issue(kind, scopePath, lifetime, addScope: true).Token;

    /// <summary>Makes a scope exist with no runners (an unknown scope answers 404).</summary>
    public void AddScope(string scopePath)
    {
        lock (_gate)
        {
            _runners.TryAdd(scopePath, []);
        }
    }

    /// <summary>Deletes a runner, as GitHub does after 14 days offline or an admin does.</summary>
    public bool RemoveRunner(string scopePath, string name)
    {
        lock (_gate)
        {
            return _runners.TryGetValue(scopePath, out var list)
                && list.RemoveAll(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase)) > 0;
        }
    }

    /// <summary>Gets the scope path a runner URL names (<c>https://github.com/acme</c> → <c>orgs/acme</c>), whatever its host; null for none.</summary>
    public static string? ScopeOfUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return null;
        }

        return uri.AbsolutePath.Split(['/', '\\'], StringSplitOptions.RemoveEmptyEntries) switch
        {
            [var org] => $"orgs/{org}",
            [var first, var second] when first.Equals("enterprises", StringComparison.OrdinalIgnoreCase) => $"enterprises/{second}",
            [var owner, var repo] => $"repos/{owner}/{repo}",
            _ => null,
        };
    }

    /// <summary>
    /// Shows <paramref name="fault"/> to the next <paramref name="times"/> requests whose path contains
    /// <paramref name="pathContains"/> and whose query string contains <paramref name="queryContains"/> (any, when null).
    /// </summary>
    public void InjectFault(FakeFault fault, int times = 1, string? pathContains = null, string? queryContains = null)
    {
        ArgumentNullException.ThrowIfNull(fault);
        lock (_gate)
        {
            _faults.Add((fault, pathContains, queryContains, [times]));
        }
    }

    /// <summary>
    /// Uses up the primary rate limit until <paramref name="resetAt"/>, as GitHub does: every request until then is
    /// refused with <paramref name="statusCode"/> (403 or 429), <c>x-ratelimit-remaining: 0</c> and
    /// <c>x-ratelimit-reset</c>; from then on the limit is full again.
    /// </summary>
    public void ExhaustRateLimit(DateTimeOffset resetAt, int statusCode = 403)
    {
        lock (_gate)
        {
            _rateLimitedUntil = (resetAt, statusCode);
            _rateLimitRemaining = 0;
        }
    }

    /// <summary>Gets the requests whose path ends with <paramref name="suffix"/>.</summary>
    public IReadOnlyList<RecordedRequest> RequestsTo(string suffix) =>
        [.. Requests.Where(r => r.Path.EndsWith(suffix, StringComparison.Ordinal))];

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        lock (_gate)
        {
            foreach (var app in _apps)
            {
                app.Dispose();
            }
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        var recorded = new RecordedRequest(request.Method, request.Path.Value ?? "/", request.QueryString.Value ?? string.Empty, headers, _time.GetUtcNow());
        if (!recorded.Path.StartsWith("/_fake/", StringComparison.Ordinal))
        {
            lock (_gate)
            {
                _requests.Add(recorded);
            }
        }

        try
        {
            if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
            {
                using var reader = new StreamReader(request.Body, Encoding.UTF8);
                recorded.Body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
            }

            recorded.StatusCode = await AnswerAsync(context, recorded).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            recorded.StatusCode = 499;
        }
    }

    private async Task<int> AnswerAsync(HttpContext context, RecordedRequest recorded)
    {
        var path = recorded.Path;
        if (path.StartsWith(GhesPrefix + "/", StringComparison.OrdinalIgnoreCase))
        {
            path = path[GhesPrefix.Length..];
        }

        var fault = path.StartsWith("/_fake/", StringComparison.Ordinal) ? null : TakeFault(recorded.Path, recorded.Query);
        if (fault is not null)
        {
            switch (fault.Kind)
            {
                case FakeFaultKind.Slow:
                    await Task.Delay(fault.Delay, context.RequestAborted).ConfigureAwait(false);
                    break;
                case FakeFaultKind.BadJson:
                    return await WriteRawAsync(context, 200, "application/json; charset=utf-8", "{\"token\": \"unterminated").ConfigureAwait(false);
                case FakeFaultKind.Html:
                    return await WriteRawAsync(context, 200, "text/html", "<html><body>Proxy login</body></html>").ConfigureAwait(false);
                case FakeFaultKind.SecondaryRateLimit:
                    if (fault.RetryAfterSeconds is { } seconds)
                    {
                        context.Response.Headers["Retry-After"] = seconds.ToString(CultureInfo.InvariantCulture);
                    }

                    return await ErrorAsync(context, fault.StatusCode, fault.Message!).ConfigureAwait(false);
                case FakeFaultKind.PrimaryRateLimit:
                    return await ErrorAsync(context, fault.StatusCode, fault.Message!, remaining: 0, reset: fault.ResetAt).ConfigureAwait(false);
                default:
                    return await ErrorAsync(context, fault.StatusCode, fault.Message!).ConfigureAwait(false);
            }
        }

        if (!path.StartsWith("/_fake/", StringComparison.Ordinal) && RateLimitedNow() is { } limited)
        {
            return await ErrorAsync(context, limited.StatusCode, "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID.", remaining: 0, reset: limited.Until).ConfigureAwait(false);
        }

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var method = recorded.Method;

        // App endpoints, authenticated with the App's JWT.
        if (segments is ["app", "installations", var idText, "access_tokens"] && method == "POST")
        {
            var app = await AuthenticateAppAsync(recorded).ConfigureAwait(false);
            if (app.Error is not null)
            {
                return await ErrorAsync(context, 401, app.Error).ConfigureAwait(false);
            }

            if (!long.TryParse(idText, CultureInfo.InvariantCulture, out var installation) || app.App!.AccountOf(installation) is null)
            {
                return await ErrorAsync(context, 404, "Not Found").ConfigureAwait(false);
            }

            var token = "ghs_" + RandomToken(36);
            var expiresAt = _time.GetUtcNow() + TokenLifetime;
            lock (_gate)
            {
                _installationTokens[token] = (installation, expiresAt);
                _issued.Add(new IssuedToken("installation", $"installations/{installation}", token, expiresAt));
            }

            return await WriteJsonAsync(context, 201, w =>
            {
                w.WriteString("token", token);
                w.WriteString("expires_at", expiresAt);
                w.WriteStartObject("permissions");
                w.WriteString("organization_self_hosted_runners", "write");
                w.WriteEndObject();
            }).ConfigureAwait(false);
        }

        if (segments is ["orgs", _, "installation"] or ["repos", _, _, "installation"] && method == "GET")
        {
            var app = await AuthenticateAppAsync(recorded).ConfigureAwait(false);
            if (app.Error is not null)
            {
                return await ErrorAsync(context, 401, app.Error).ConfigureAwait(false);
            }

            var account = segments[0] == "orgs" ? segments[1] : $"{segments[1]}/{segments[2]}";
            var id = app.App!.InstallationFor(account) ?? (segments[0] == "repos" ? app.App.InstallationFor(segments[1]) : null);
            return id is { } found
                ? await WriteJsonAsync(context, 200, w => w.WriteNumber("id", found)).ConfigureAwait(false)
                : await ErrorAsync(context, 404, "Not Found").ConfigureAwait(false);
        }

        // The listener's session, as the fake systemctl's emulated listener asks for it: not GitHub's REST API.
        if (segments is ["_fake", "listener", var agentText] && method == "GET")
        {
            return await ListenerSessionAsync(context, agentText).ConfigureAwait(false);
        }

        // What config.sh (v2 flow) calls outside a scope, with "RemoteAuth <registration or remove token>".
        if (segments is ["actions", "runner-registration"] && method == "POST")
        {
            return await RunnerRegistrationAsync(context, recorded).ConfigureAwait(false);
        }

        if (segments is ["actions", "runners", "register"] && method == "POST")
        {
            return await RegisterRunnerAsync(context, recorded).ConfigureAwait(false);
        }

        // Runner endpoints, under a scope.
        var (scope, rest) = segments switch
        {
            ["orgs", var o, .. var r] => ($"orgs/{o}", r),
            ["repos", var o, var n, .. var r] => ($"repos/{o}/{n}", r),
            ["enterprises", var e, .. var r] => ($"enterprises/{e}", r),
            _ => (null, Array.Empty<string>()),
        };
        if (scope is null || rest is not (["actions", "runners", ..] or ["actions", "runner-groups"]))
        {
            return await ErrorAsync(context, 404, "Not Found").ConfigureAwait(false);
        }

        // config.sh authenticates with RemoteAuth <registration or remove token>; the REST API with a PAT or an App token.
        var denied = recorded.AuthorizationScheme is { } scheme && scheme.Equals(RemoteAuthScheme, StringComparison.OrdinalIgnoreCase)
            ? AuthorizeRemoteAuth(recorded, scope, RemoteAuthKindFor(method, rest))
            : Authorize(recorded, scope) is { } bearer ? (bearer.Status, bearer.Message, null) : null;
        if (denied is { } refusal)
        {
            return await ErrorAsync(context, refusal.Status, refusal.Message, reason: refusal.Reason).ConfigureAwait(false);
        }

        bool known;
        lock (_gate)
        {
            known = _runners.ContainsKey(scope);
        }

        if (!known)
        {
            return await ErrorAsync(context, 404, "Not Found").ConfigureAwait(false);
        }

        if (rest is ["actions", "runners", "registration-token" or "remove-token"] && method == "POST")
        {
            var kind = rest[2] == "registration-token" ? RegistrationKind : RemoveKind;
            var issued = Issue(kind, scope, lifetime: null, addScope: false);
            return await WriteJsonAsync(context, 201, w =>
            {
                w.WriteString("token", issued.Token);
                w.WriteString("expires_at", issued.ExpiresAt);
            }).ConfigureAwait(false);
        }

        if (rest is ["actions", "runners"] && method == "GET")
        {
            return await ListRunnersAsync(context, scope).ConfigureAwait(false);
        }

        if (rest is ["actions", "runner-groups"] && method == "GET")
        {
            return await ListRunnerGroupsAsync(context, scope).ConfigureAwait(false);
        }

        if (rest is ["actions", "runners", var runnerIdText] && method == "DELETE" && long.TryParse(runnerIdText, CultureInfo.InvariantCulture, out var runnerId))
        {
            bool deleted;
            lock (_gate)
            {
                deleted = _runners[scope].RemoveAll(r => r.Id == runnerId) > 0;
            }

            if (!deleted)
            {
                return await ErrorAsync(context, 404, "Not Found", reason: $"no runner with id {runnerId} in {scope}").ConfigureAwait(false);
            }

            AddRateLimitHeaders(context, count: true);
            context.Response.StatusCode = 204;
            return 204;
        }

        return await ErrorAsync(context, 404, "Not Found").ConfigureAwait(false);
    }

    /// <summary>
    /// <c>POST /actions/runner-registration</c>: the first call of config.sh, with the registration token (configure)
    /// or the remove token (remove) for the scope its <c>url</c> names. GitHub answers the tenant's URL and says to use
    /// the v2 (runner admin) flow.
    /// </summary>
    private async Task<int> RunnerRegistrationAsync(HttpContext context, RecordedRequest recorded)
    {
        if (!TryReadBody(recorded, out var body))
        {
            return await ErrorAsync(context, 400, "Problems parsing JSON").ConfigureAwait(false);
        }

        var url = StringProperty(body, "url");
        var runnerEvent = StringProperty(body, "runner_event");
        if (url is null || runnerEvent is not ("register" or "remove"))
        {
            return await ErrorAsync(context, 422, "Invalid request.", reason: "the body needs \"url\" and \"runner_event\": \"register\" or \"remove\"").ConfigureAwait(false);
        }

        var scope = ScopeOfUrl(url);
        if (scope is null)
        {
            return await ErrorAsync(context, 404, "Not Found", reason: $"'{url}' names no organisation, repository or enterprise").ConfigureAwait(false);
        }

        var denied = AuthorizeRemoteAuth(recorded, scope, runnerEvent == "register" ? RegistrationKind : RemoveKind);
        if (denied is { } refusal)
        {
            return await ErrorAsync(context, refusal.Status, refusal.Message, reason: refusal.Reason).ConfigureAwait(false);
        }

        var tenant = TenantUrl(url);
        return await WriteJsonAsync(context, 200, w =>
        {
            w.WriteString("url", tenant);
            w.WriteString("token_schema", "OAuthAccessToken");
            w.WriteString("token", "fake-tenant-" + RandomToken(32));
            w.WriteBoolean("use_v2_flow", true);
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>POST /actions/runners/register</c>: adds a runner (new id) or, with <c>"replace": true</c> and the
    /// <c>runner_id</c> of the runner of that name, replaces its key, labels, group and flags keeping its id.
    /// </summary>
    private async Task<int> RegisterRunnerAsync(HttpContext context, RecordedRequest recorded)
    {
        if (!TryReadBody(recorded, out var body))
        {
            return await ErrorAsync(context, 400, "Problems parsing JSON").ConfigureAwait(false);
        }

        var url = StringProperty(body, "url");
        var name = StringProperty(body, "name");
        var scope = url is null ? null : ScopeOfUrl(url);
        if (scope is null || string.IsNullOrWhiteSpace(name))
        {
            return await ErrorAsync(context, 422, "Invalid request.", reason: "the body needs the runner's \"url\" and \"name\"").ConfigureAwait(false);
        }

        var denied = AuthorizeRemoteAuth(recorded, scope, RegistrationKind);
        if (denied is { } refusal)
        {
            return await ErrorAsync(context, refusal.Status, refusal.Message, reason: refusal.Reason).ConfigureAwait(false);
        }

        var groupId = body.TryGetProperty("group_id", out var g) && g.TryGetInt32(out var gid) ? gid : 1;
        var replace = body.TryGetProperty("replace", out var r) && r.ValueKind == JsonValueKind.True;
        long? replaceId = body.TryGetProperty("runner_id", out var rid) && rid.TryGetInt64(out var rl) ? rl : null;
        var (defaults, custom) = ReadLabels(body);
        var ephemeral = body.TryGetProperty("ephemeral", out var e) && e.ValueKind == JsonValueKind.True;
        var updatesDisabled = body.TryGetProperty("updates_disabled", out var u) && u.ValueKind == JsonValueKind.True;
        var modulus = ModulusOf(StringProperty(body, "public_key"));

        FakeRunner? runner = null;
        (int Status, string Message, string Reason)? refused = null;
        lock (_gate)
        {
            _runners.TryAdd(scope, []);
            var existing = _runners[scope].FirstOrDefault(x => string.Equals(x.Name, name, StringComparison.OrdinalIgnoreCase));
            if (!GroupsOf(scope).Any(x => x.Id == groupId))
            {
                refused = (404, "Not Found", $"no runner group with id {groupId} in {scope}");
            }
            else if (replace && (existing is null || existing.Id != replaceId))
            {
                refused = (404, "Not Found", $"no runner {replaceId} named '{name}' in {scope} to replace");
            }
            else if (!replace && existing is not null)
            {
                refused = (409, $"A runner exists with the same name {name}.", $"runner {existing.Id} is named '{name}' in {scope}; send \"replace\": true and its \"runner_id\"");
            }
            else
            {
                runner = existing;
                if (runner is null)
                {
                    runner = new FakeRunner(scope, _nextId++, name);
                    _runners[scope].Add(runner);
                }

                runner.Status = "offline";
                runner.Busy = false;
                runner.RunnerGroupId = groupId;
                runner.DefaultLabels = defaults;
                runner.Labels.Clear();
                runner.Labels.AddRange(custom);
                runner.Ephemeral = ephemeral;
                runner.DisableUpdate = updatesDisabled;
                runner.PublicKeyModulus = modulus;
            }
        }

        if (refused is { } no)
        {
            return await ErrorAsync(context, no.Status, no.Message, reason: no.Reason).ConfigureAwait(false);
        }

        return await WriteJsonAsync(context, 201, w =>
        {
            WriteRunner(w, runner!);
            w.WriteStartObject("authorization");
            w.WriteString("authorization_url", "https://pipelines.actions.githubusercontent.com/FAKEfakeFAKEfake/_apis/oauth2/token");
            w.WriteString("server_url", "https://broker.actions.githubusercontent.com/");
            w.WriteString("client_id", runner!.ClientId.ToString("D"));
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private async Task<int> ListRunnerGroupsAsync(HttpContext context, string scope)
    {
        List<(int Id, string Name, bool IsDefault)> groups;
        lock (_gate)
        {
            groups = [.. GroupsOf(scope)];
        }

        return await WriteJsonAsync(context, 200, w =>
        {
            w.WriteNumber("total_count", groups.Count);
            w.WriteStartArray("runner_groups");
            foreach (var group in groups)
            {
                w.WriteStartObject();
                w.WriteNumber("id", group.Id);
                w.WriteString("name", group.Name);
                w.WriteString("visibility", "all");
                w.WriteBoolean("default", group.IsDefault);
                w.WriteString("runners_url", new Uri(BaseUrl, $"{scope}/actions/runner-groups/{group.Id}/runners").ToString());
                w.WriteBoolean("inherited", false);
                w.WriteBoolean("allows_public_repositories", false);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// The emulated listener's session: the runner must still be listed (by id, in any scope) and, when GitHub knows
    /// its key, the runner must hold that key; a broker would otherwise answer <c>invalid_client</c>.
    /// </summary>
    private async Task<int> ListenerSessionAsync(HttpContext context, string agentText)
    {
        string? modulus = context.Request.Query["modulus"];
        string verdict;
        lock (_gate)
        {
            var runner = long.TryParse(agentText, CultureInfo.InvariantCulture, out var id)
                ? _runners.Values.SelectMany(l => l).FirstOrDefault(x => x.Id == id)
                : null;
            if (runner is null)
            {
                verdict = "deleted";
            }
            else if (runner.PublicKeyModulus is { } key && !string.Equals(key, modulus, StringComparison.Ordinal))
            {
                verdict = "key";
            }
            else
            {
                verdict = "listening";
                runner.Status = "online";
            }
        }

        context.Response.StatusCode = verdict == "listening" ? 200 : verdict == "deleted" ? 404 : 401;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.Body.WriteAsync(Json(w => w.WriteString("verdict", verdict))).ConfigureAwait(false);
        return context.Response.StatusCode;
    }

    private async Task<int> ListRunnersAsync(HttpContext context, string scope)
    {
        var query = context.Request.Query;
        var perPage = int.TryParse(query["per_page"], CultureInfo.InvariantCulture, out var p) ? Math.Clamp(p, 1, 100) : 30;
        var page = int.TryParse(query["page"], CultureInfo.InvariantCulture, out var n) ? Math.Max(n, 1) : 1;
        string? name = IgnoreNameFilter ? null : (string?)query["name"];
        List<FakeRunner> all;
        List<FakeRunner> shown;
        lock (_gate)
        {
            all = [.. _runners[scope].Where(r => name is null || string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase))];

            // A runner hidden from pages still counts, as one that slid across a page boundary while the pages were read.
            shown = [.. all.Where(r => name is not null || !r.HiddenFromPages)];
        }

        var body = Json(w =>
        {
            w.WriteNumber("total_count", all.Count);
            w.WriteStartArray("runners");
            foreach (var runner in shown.Skip((page - 1) * perPage).Take(perPage))
            {
                w.WriteStartObject();
                WriteRunner(w, runner);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
        var etag = "W/\"" + Convert.ToHexStringLower(SHA256.HashData(body))[..32] + "\"";
        context.Response.Headers.ETag = etag;
        if (context.Request.Headers.IfNoneMatch.ToString() == etag)
        {
            // A 304 does not count against the primary rate limit.
            AddRateLimitHeaders(context, count: false);
            context.Response.StatusCode = 304;
            return 304;
        }

        return await WriteBytesAsync(context, 200, body).ConfigureAwait(false);
    }

    /// <summary>Writes a runner's fields as GitHub's REST API shows them (without the enclosing object).</summary>
    private static void WriteRunner(Utf8JsonWriter w, FakeRunner runner)
    {
        w.WriteNumber("id", runner.Id);
        w.WriteString("name", runner.Name);
        w.WriteString("os", runner.Os);
        w.WriteString("status", runner.Status);
        w.WriteBoolean("busy", runner.Busy);
        w.WriteBoolean("ephemeral", runner.Ephemeral);
        w.WriteNumber("runner_group_id", runner.RunnerGroupId);
        w.WriteStartArray("labels");
        var labelId = 0;
        var defaults = runner.DefaultLabels ? new[] { "self-hosted", runner.Os, runner.Architecture } : [];
        foreach (var (label, type) in defaults.Select(l => (l, "read-only")).Concat(runner.Labels.Select(l => (l, "custom"))))
        {
            w.WriteStartObject();
            w.WriteNumber("id", ++labelId);
            w.WriteString("name", label);
            w.WriteString("type", type);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>
    /// Checks <c>RemoteAuth</c>: a registration or remove token this fake issued, unexpired, for <paramref name="scope"/>.
    /// GitHub answers an unknown, expired or misused token with 404 Not Found; the reason is the fake's own addition.
    /// </summary>
    private (int Status, string Message, string? Reason)? AuthorizeRemoteAuth(RecordedRequest recorded, string scope, string kind)
    {
        if (recorded.AuthorizationScheme is not { } scheme || !scheme.Equals(RemoteAuthScheme, StringComparison.OrdinalIgnoreCase) || recorded.BearerToken is not { } token)
        {
            return (401, "Requires authentication", $"expected 'Authorization: RemoteAuth <{kind} token>'");
        }

        IssuedToken? issued;
        lock (_gate)
        {
            issued = _issued.LastOrDefault(t => t.Token == token);
        }

        if (issued is null || issued.Kind is not (RegistrationKind or RemoveKind))
        {
            return (404, "Not Found", $"the RemoteAuth token is not a registration or remove token this fake issued");
        }

        if (issued.Kind != kind)
        {
            return (404, "Not Found", $"a {issued.Kind} token was given where a {kind} token is needed");
        }

        if (!string.Equals(issued.Scope, scope, StringComparison.OrdinalIgnoreCase))
        {
            return (404, "Not Found", $"the {kind} token was issued for {issued.Scope}, not {scope}");
        }

        if (issued.ExpiresAt <= _time.GetUtcNow())
        {
            return (404, "Not Found", string.Create(CultureInfo.InvariantCulture, $"the {kind} token expired at {issued.ExpiresAt:u}"));
        }

        return null;
    }

    /// <summary>Which token config.sh sends to a scoped endpoint: the remove token to delete, else the registration token.</summary>
    private static string RemoteAuthKindFor(string method, string[] rest) =>
        method == "DELETE" && rest is ["actions", "runners", _] ? RemoveKind : RegistrationKind;

    /// <summary>The groups of a scope, the <c>Default</c> group (id 1) first; repositories have only that one.</summary>
    private List<(int Id, string Name, bool IsDefault)> GroupsOf(string scope)
    {
        if (!_groups.TryGetValue(scope, out var groups))
        {
            groups = [(1, "Default", true)];
            _groups[scope] = groups;
        }

        return groups;
    }

    private static (bool Defaults, List<string> Custom) ReadLabels(JsonElement body)
    {
        var defaults = false;
        var custom = new List<string>();
        if (body.TryGetProperty("labels", out var labels) && labels.ValueKind == JsonValueKind.Array)
        {
            foreach (var label in labels.EnumerateArray())
            {
                var (name, type) = label.ValueKind == JsonValueKind.String
                    ? (label.GetString(), "user")
                    : (StringProperty(label, "name"), StringProperty(label, "type") ?? "user");
                if (string.IsNullOrEmpty(name))
                {
                    continue;
                }

                if (string.Equals(type, "system", StringComparison.OrdinalIgnoreCase) || string.Equals(type, "read-only", StringComparison.OrdinalIgnoreCase))
                {
                    defaults = true;
                }
                else
                {
                    custom.Add(name);
                }
            }
        }

        return (defaults, custom);
    }

    /// <summary>The modulus of <c>&lt;RSAKeyValue&gt;&lt;Modulus&gt;…&lt;/Modulus&gt;…</c>, as the runner sends its public key.</summary>
    private static string? ModulusOf(string? publicKeyXml)
    {
        if (publicKeyXml is null)
        {
            return null;
        }

        var start = publicKeyXml.IndexOf("<Modulus>", StringComparison.Ordinal);
        var end = publicKeyXml.IndexOf("</Modulus>", StringComparison.Ordinal);
        return start >= 0 && end > start ? publicKeyXml[(start + "<Modulus>".Length)..end] : null;
    }

    /// <summary>The tenant URL GitHub answers: Actions' pipelines host for github.com and *.ghe.com, <c>_services</c> on a GHES host.</summary>
    private static string TenantUrl(string url)
    {
        var uri = new Uri(url);
        return IsHostedServer(uri)
            ? "https://pipelines.actions.githubusercontent.com/FAKEfakeFAKEfake/"
            : $"{uri.Scheme}://{uri.Authority}/_services/pipelines/FAKEfakeFAKEfake/";
    }

    private static bool IsHostedServer(Uri uri) =>
        uri.Host.Equals("github.com", StringComparison.OrdinalIgnoreCase)
        || uri.Host.EndsWith(".ghe.com", StringComparison.OrdinalIgnoreCase)
        || uri.Host.Equals("github.localhost", StringComparison.OrdinalIgnoreCase);

    private static bool TryReadBody(RecordedRequest recorded, out JsonElement body)
    {
        try
        {
            using var document = JsonDocument.Parse(recorded.Body);
            body = document.RootElement.Clone();
            return body.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            body = default;
            return false;
        }
    }

    private static string? StringProperty(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private (int Status, string Message)? Authorize(RecordedRequest recorded, string scope)
    {
        var token = recorded.BearerToken;
        if (token is null)
        {
            return (401, "Requires authentication");
        }

        lock (_gate)
        {
            if (_tokens.TryGetValue(token, out var scopes))
            {
                var needed = scope.StartsWith("orgs/", StringComparison.Ordinal) ? "admin:org"
                    : scope.StartsWith("repos/", StringComparison.Ordinal) ? "repo"
                    : "manage_runners:enterprise";
                return scopes.Contains(needed, StringComparer.Ordinal) ? null : (403, "Resource not accessible by personal access token");
            }

            if (_installationTokens.TryGetValue(token, out var installation))
            {
                if (installation.ExpiresAt <= _time.GetUtcNow())
                {
                    return (401, "Bad credentials");
                }

                if (scope.StartsWith("enterprises/", StringComparison.Ordinal))
                {
                    return (403, "Resource not accessible by integration");
                }

                var account = _apps.Select(a => a.AccountOf(installation.Installation)).FirstOrDefault(a => a is not null);
                if (account is null)
                {
                    // GitHub revokes an installation's tokens when the App is uninstalled.
                    return (401, "Bad credentials");
                }

                var owner = scope.Split('/')[1];
                var repo = scope.StartsWith("repos/", StringComparison.Ordinal) ? scope["repos/".Length..] : null;
                return string.Equals(account, owner, StringComparison.OrdinalIgnoreCase) || string.Equals(account, repo, StringComparison.OrdinalIgnoreCase)
                    ? null
                    : (403, "Resource not accessible by integration");
            }
        }

        return (401, "Bad credentials");
    }

    private async Task<(FakeGitHubApp? App, string? Error)> AuthenticateAppAsync(RecordedRequest recorded)
    {
        var jwt = recorded.BearerToken;
        if (jwt is null || !recorded.Headers["authorization"].StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return (null, "A JSON web token could not be decoded");
        }

        JsonWebToken token;
        try
        {
            token = new JsonWebToken(jwt);
        }
        catch (ArgumentException)
        {
            return (null, "A JSON web token could not be decoded");
        }

        FakeGitHubApp? app;
        lock (_gate)
        {
            app = _apps.FirstOrDefault(a => token.Issuer == a.AppId.ToString(CultureInfo.InvariantCulture) || token.Issuer == a.ClientId);
        }

        if (app is null)
        {
            return (null, $"'Issuer' claim ('iss') must be an Integer or a client id (got '{token.Issuer}')");
        }

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(jwt, new TokenValidationParameters
        {
            ValidateAudience = false,
            ValidateLifetime = false,
            ValidIssuers = [app.AppId.ToString(CultureInfo.InvariantCulture), app.ClientId],
            IssuerSigningKey = new RsaSecurityKey(app.Key.ExportParameters(false)),
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        }).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return (null, "A JSON web token could not be decoded (signature)");
        }

        var now = _time.GetUtcNow();
        var issuedAt = new DateTimeOffset(token.IssuedAt, TimeSpan.Zero);
        var expires = new DateTimeOffset(token.ValidTo, TimeSpan.Zero);
        if (issuedAt > now)
        {
            return (null, "'Issued at' claim ('iat') must be an Integer representing a time in the past");
        }

        if (expires <= now)
        {
            return (null, "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires");
        }

        if (expires - now > MaxJwtLifetime || expires - issuedAt > MaxJwtLifetime + TimeSpan.FromSeconds(60))
        {
            return (null, "'Expiration time' claim ('exp') is too far in the future");
        }

        return (app, null);
    }

    private FakeRunner Add(string scopePath, long id, string name)
    {
        if (!_runners.TryGetValue(scopePath, out var list))
        {
            list = [];
            _runners[scopePath] = list;
        }

        var runner = new FakeRunner(scopePath, id, name);
        list.Add(runner);
        return runner;
    }

    private IssuedToken Issue(string kind, string scopePath, TimeSpan? lifetime, bool addScope)
    {
        if (kind is not (RegistrationKind or RemoveKind))
        {
            throw new ArgumentException($"expected '{RegistrationKind}' or '{RemoveKind}', got '{kind}'", nameof(kind));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(scopePath);
        var issued = new IssuedToken(kind, scopePath, RandomToken(29).ToUpperInvariant(), _time.GetUtcNow() + (lifetime ?? TokenLifetime));
        lock (_gate)
        {
            if (addScope)
            {
                _runners.TryAdd(scopePath, []);
            }

            _issued.Add(issued);
        }

        return issued;
    }

    private (DateTimeOffset Until, int StatusCode)? RateLimitedNow()
    {
        lock (_gate)
        {
            if (_rateLimitedUntil is { } limited && _time.GetUtcNow() >= limited.Until)
            {
                _rateLimitedUntil = null;
                _rateLimitRemaining = 5000;
            }

            return _rateLimitedUntil;
        }
    }

    private FakeFault? TakeFault(string path, string query)
    {
        lock (_gate)
        {
            foreach (var (fault, contains, queryContains, left) in _faults)
            {
                if (left[0] > 0 && (contains is null || path.Contains(contains, StringComparison.Ordinal))
                    && (queryContains is null || query.Contains(queryContains, StringComparison.Ordinal)))
                {
                    left[0]--;
                    return fault;
                }
            }

            return null;
        }
    }

    private void AddRateLimitHeaders(HttpContext context, bool count, int? remaining = null, DateTimeOffset? reset = null)
    {
        int left;
        lock (_gate)
        {
            if (count && _rateLimitRemaining > 0)
            {
                _rateLimitRemaining--;
            }

            left = remaining ?? _rateLimitRemaining;
        }

        var headers = context.Response.Headers;
        headers["x-ratelimit-limit"] = "5000";
        headers["x-ratelimit-remaining"] = left.ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-reset"] = (reset ?? _time.GetUtcNow().AddHours(1)).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-resource"] = "core";
    }

    private async Task<int> ErrorAsync(HttpContext context, int status, string message, int? remaining = null, DateTimeOffset? reset = null, string? reason = null)
    {
        AddRateLimitHeaders(context, count: true, remaining, reset);
        var body = Json(w =>
        {
            w.WriteString("message", message);
            w.WriteString("documentation_url", "https://docs.github.com/rest");
            w.WriteString("status", status.ToString(CultureInfo.InvariantCulture));
            if (reason is not null)
            {
                // Not GitHub's: says why the fake refused, for whoever reads the failing test.
                w.WriteString("fake_reason", reason);
            }
        });
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.Body.WriteAsync(body).ConfigureAwait(false);
        return status;
    }

    private Task<int> WriteJsonAsync(HttpContext context, int status, Action<Utf8JsonWriter> write) =>
        WriteBytesAsync(context, status, Json(write));

    private async Task<int> WriteBytesAsync(HttpContext context, int status, byte[] body)
    {
        AddRateLimitHeaders(context, count: true);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.Body.WriteAsync(body).ConfigureAwait(false);
        return status;
    }

    private async Task<int> WriteRawAsync(HttpContext context, int status, string contentType, string text)
    {
        AddRateLimitHeaders(context, count: true);
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text)).ConfigureAwait(false);
        return status;
    }

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static string RandomToken(int length)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return RandomNumberGenerator.GetString(alphabet, length);
    }
}

/// <summary>A token the fake handed out: <c>registration</c>, <c>remove</c> or <c>installation</c>.</summary>
/// <param name="Kind"><c>registration</c>, <c>remove</c> or <c>installation</c>.</param>
/// <param name="Scope">The scope path it was issued for (<c>orgs/acme</c>), or <c>installations/ID</c>.</param>
/// <param name="Token">The token.</param>
/// <param name="ExpiresAt">When it expires, on the fake's clock.</param>
public sealed record IssuedToken(string Kind, string Scope, string Token, DateTimeOffset ExpiresAt);
