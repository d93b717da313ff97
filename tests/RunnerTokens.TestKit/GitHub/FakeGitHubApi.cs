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
/// It checks the Authorization header, records every request, and shows injected faults.
/// </summary>
public sealed class FakeGitHubApi : IAsyncDisposable
{
    public const string GhesPrefix = "/api/v3";
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(1);
    private static readonly TimeSpan MaxJwtLifetime = TimeSpan.FromMinutes(10);

    private readonly WebApplication _app;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<FakeRunner>> _runners = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string[]> _tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Installation, DateTimeOffset ExpiresAt)> _installationTokens = new(StringComparer.Ordinal);
    private readonly List<FakeGitHubApp> _apps = [];
    private readonly List<(FakeFault Fault, string? PathContains, string? QueryContains, int[] Left)> _faults = [];
    private readonly List<RecordedRequest> _requests = [];
    private readonly List<IssuedToken> _issued = [];
    private long _nextId = 1000;
    private int _rateLimitRemaining = 5000;

    private FakeGitHubApi(WebApplication app, TimeProvider time)
    {
        _app = app;
        _time = time;
    }

    /// <summary>Gets the root, as github.com's API root: <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Gets the API root in GitHub Enterprise Server's layout: <c>http://127.0.0.1:PORT/api/v3/</c>.</summary>
    public Uri GhesApiUrl => new(BaseUrl, "api/v3/");

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

    /// <summary>Lists a runner in a scope (<c>orgs/acme</c>, <c>repos/owner/repo</c> or <c>enterprises/ent</c>).</summary>
    public FakeRunner AddRunner(string scopePath, string name, bool busy = false, string status = "online", params string[] labels)
    {
        lock (_gate)
        {
            if (!_runners.TryGetValue(scopePath, out var list))
            {
                list = [];
                _runners[scopePath] = list;
            }

            var runner = new FakeRunner(_nextId++, name) { Busy = busy, Status = status };
            runner.Labels.AddRange(labels);
            list.Add(runner);
            return runner;
        }
    }

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
        lock (_gate)
        {
            _requests.Add(recorded);
        }

        try
        {
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

        var fault = TakeFault(recorded.Path, recorded.Query);
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

        // Runner endpoints, under a scope.
        var (scope, rest) = segments switch
        {
            ["orgs", var o, .. var r] => ($"orgs/{o}", r),
            ["repos", var o, var n, .. var r] => ($"repos/{o}/{n}", r),
            ["enterprises", var e, .. var r] => ($"enterprises/{e}", r),
            _ => (null, Array.Empty<string>()),
        };
        if (scope is null || rest is not ["actions", "runners", ..])
        {
            return await ErrorAsync(context, 404, "Not Found").ConfigureAwait(false);
        }

        var denied = Authorize(recorded, scope);
        if (denied is { } refusal)
        {
            return await ErrorAsync(context, refusal.Status, refusal.Message).ConfigureAwait(false);
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
            var kind = rest[2] == "registration-token" ? "registration" : "remove";
            var token = RandomToken(29).ToUpperInvariant();
            var expiresAt = _time.GetUtcNow() + TokenLifetime;
            lock (_gate)
            {
                _issued.Add(new IssuedToken(kind, scope, token, expiresAt));
            }

            return await WriteJsonAsync(context, 201, w =>
            {
                w.WriteString("token", token);
                w.WriteString("expires_at", expiresAt);
            }).ConfigureAwait(false);
        }

        if (rest is ["actions", "runners"] && method == "GET")
        {
            return await ListRunnersAsync(context, scope).ConfigureAwait(false);
        }

        return await ErrorAsync(context, 404, "Not Found").ConfigureAwait(false);
    }

    private async Task<int> ListRunnersAsync(HttpContext context, string scope)
    {
        var query = context.Request.Query;
        var perPage = int.TryParse(query["per_page"], CultureInfo.InvariantCulture, out var p) ? Math.Clamp(p, 1, 100) : 30;
        var page = int.TryParse(query["page"], CultureInfo.InvariantCulture, out var n) ? Math.Max(n, 1) : 1;
        string? name = query["name"];
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
                w.WriteNumber("id", runner.Id);
                w.WriteString("name", runner.Name);
                w.WriteString("os", runner.Os);
                w.WriteString("status", runner.Status);
                w.WriteBoolean("busy", runner.Busy);
                w.WriteBoolean("ephemeral", runner.Ephemeral);
                w.WriteNumber("runner_group_id", runner.RunnerGroupId);
                w.WriteStartArray("labels");
                var labelId = 0;
                string[] defaults = runner.NoDefaultLabels ? [] : ["self-hosted", runner.Os, "X64"];
                foreach (var (label, type) in defaults.Select(l => (l, "read-only")).Concat(runner.Labels.Select(l => (l, "custom"))))
                {
                    w.WriteStartObject();
                    w.WriteNumber("id", ++labelId);
                    w.WriteString("name", label);
                    w.WriteString("type", type);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
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

    private async Task<int> ErrorAsync(HttpContext context, int status, string message, int? remaining = null, DateTimeOffset? reset = null)
    {
        AddRateLimitHeaders(context, count: true, remaining, reset);
        var body = Json(w =>
        {
            w.WriteString("message", message);
            w.WriteString("documentation_url", "https://docs.github.com/rest");
            w.WriteString("status", status.ToString(CultureInfo.InvariantCulture));
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
public sealed record IssuedToken(string Kind, string Scope, string Token, DateTimeOffset ExpiresAt);
