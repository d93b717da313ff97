using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Octokit;
using Octokit.Internal;
using Polly;
using Polly.Retry;

namespace RunnerTokens.GitHub;

/// <summary>
/// Sends REST calls through Octokit's connection over one long-lived HTTP handler (proxy from the environment, the
/// system's CA store), each with a time limit, retried with Polly: server errors, timeouts and connection errors with
/// exponential backoff and jitter, rate limits after the time GitHub names (within <see cref="GitHubOptions.MaxRateLimitWait"/>).
/// Failures become <see cref="GitHubApiException"/>s whose messages say what to do, and never hold a token.
/// </summary>
internal sealed class GitHubApiClient : IDisposable
{
    private const int PrimaryResetMarginSeconds = 1;
    private static readonly TimeSpan SecondaryLimitMinimumWait = TimeSpan.FromMinutes(1);
    private static readonly ResiliencePropertyKey<CallState> StateKey = new("RunnerTokens.GitHub.Call");

    /// <summary>The name of the retry budget GitHub calls share within a refresh (<see cref="RefreshAttempt.TryTakeRetry"/>).</summary>
    private const string RetryBudget = "GitHub";
    private static readonly ProductHeaderValue Product = new("RunnerTokens", typeof(GitHubApiClient).Assembly.GetName().Version?.ToString(3) ?? "0");

    private readonly GitHubOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly SecretMasker _masker;
    private readonly ILogger<GitHubApiClient> _logger;
    private readonly Lazy<UntimedHttpClient> _http;
    private readonly ResponseCacheStore _responses;
    private readonly RateLimitMemory _rateLimits;
    private readonly GitHubRateLimitSource? _rateLimitSource;

    // Built at the first call: most checks call GitHub never, and a process that starts for one check should not pay
    // for an HTTP handler and Polly's validation of the retry options it does not use.
    private readonly Lazy<ResiliencePipeline> _pipeline;

    public GitHubApiClient(
        IOptions<GitHubOptions> options,
        TimeProvider timeProvider,
        SecretMasker masker,
        RateLimitMemory rateLimits,
        ResponseCacheStore responses,
        ILogger<GitHubApiClient> logger,
        GitHubHttpHandlerFactory? handlerFactory = null,
        GitHubRateLimitSource? rateLimitSource = null)
    {
        _rateLimitSource = rateLimitSource;
        _responses = responses;
        _options = options.Value;
        _rateLimits = rateLimits;
        _timeProvider = timeProvider;
        _masker = masker;
        _logger = logger;
        _http = new(() =>
        {
            var http = new UntimedHttpClient(new HttpClientAdapter(handlerFactory is null ? CreateHandler : handlerFactory.Create));

            // Our own time limit (on the TimeProvider) ends each attempt; this one only backs it up.
            http.SetRequestTimeout(_options.RequestTimeout + TimeSpan.FromSeconds(30));
            return http;
        });
        _pipeline = new(BuildPipeline);
    }

    internal ResponseCacheStore Responses => _responses;

    /// <summary>
    /// The handler under every call. <see cref="SocketsHttpHandler.UseProxy"/> with no <see cref="SocketsHttpHandler.Proxy"/>
    /// means <see cref="HttpClient.DefaultProxy"/>: <c>HTTPS_PROXY</c>, <c>HTTP_PROXY</c>, <c>ALL_PROXY</c> and <c>NO_PROXY</c>.
    /// No certificate callback: the system's CA store decides (on Linux also <c>SSL_CERT_FILE</c> / <c>SSL_CERT_DIR</c>).
    /// </summary>
    internal static SocketsHttpHandler CreateHandler() => new()
    {
        // Octokit follows redirects itself, and drops the Authorization header when one leaves the host.
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.All,
        UseProxy = true,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(30),
    };

    public async Task<T> SendAsync<T>(GitHubRequest request, CancellationToken cancellationToken)
        where T : class
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        var state = new CallState(request);
        context.Properties.Set(StateKey, state);
        try
        {
            return await _pipeline.Value.ExecuteAsync(
                static (ctx, s) => new ValueTask<T>(s.Client.AttemptAsync<T>(s.State, ctx.CancellationToken)),
                context,
                (Client: this, State: state)).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    public void Dispose()
    {
        if (_http.IsValueCreated)
        {
            _http.Value.Dispose();
        }
    }

    private async Task<T> AttemptAsync<T>(CallState state, CancellationToken cancellationToken)
        where T : class
    {
        var request = state.Request;
        var limitKey = RateLimitKey(request);
        if (_rateLimits.Find(limitKey, request.RateLimitResource) is { } limit)
        {
            // GitHub named a time before which it refuses this credential (here, or in another run of the refresher):
            // calling anyway only risks a ban. The pipeline waits for it when that is soon enough.
            var now = _timeProvider.GetUtcNow();
            var refused = new GitHubApiException(
                $"GitHub {(limit.Secondary ? "secondary " : string.Empty)}rate limit for {request.Credential.Description} until {LogText.TimeOfDay(limit.Until)} ({LogText.Duration(limit.Until - now)}); not calling GitHub before then ({request.Operation} not sent).",
                null,
                GitHubFailureKind.RateLimited,
                limit.Until);
            Log.RateLimitRemembered(_logger, request.Operation, refused.Message);
            throw refused;
        }

        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var connection = new Connection(
                Product,
                request.ApiRoot,
                new InMemoryCredentialStore(new Credentials(request.Credential.Token, AuthenticationType.Bearer)),
                _http.Value,
                SourceGeneratedJsonSerializer.Instance);
            if (request.Conditional && request.Method == HttpMethod.Get)
            {
                connection.ResponseCache = _responses.For(request.Credential.Key);
            }

            var path = new Uri(request.Path, UriKind.Relative);
            var response = request.Method == HttpMethod.Get
                ? await connection.Get<T>(path, request.Query ?? new Dictionary<string, string>(), null!, linked.Token).ConfigureAwait(false)
                : await connection.Post<T>(path, linked.Token).ConfigureAwait(false);
            ObserveRateLimit(request, response.HttpResponse.Headers);
            return response.Body ?? throw new GitHubApiException(
                $"GitHub answered {request.Operation} with {(int)response.HttpResponse.StatusCode} but no JSON body (content type '{response.HttpResponse.ContentType}'); a proxy may be in the way.",
                (int)response.HttpResponse.StatusCode,
                GitHubFailureKind.Transient);
        }
        catch (Exception ex) when (ex is not GitHubApiException && !cancellationToken.IsCancellationRequested)
        {
            state.NamedLimit = null;
            ObserveRateLimit(request, (ex as ApiException)?.HttpResponse?.Headers);
            var failure = Classify(ex, state);
            if (failure is { Failure: GitHubFailureKind.RateLimited, RetryAfter: { } until } && state.NamedLimit is { } named)
            {
                // Only a time GitHub named (x-ratelimit-reset, Retry-After) is remembered, for the bucket it named and
                // for this endpoint's, so the same call is never repeated before then.
                foreach (var resource in named.Resources.Append(request.RateLimitResource).Distinct(StringComparer.OrdinalIgnoreCase))
                {
                    _rateLimits.Remember(new RateLimitEntry(limitKey, resource, until, named.Secondary));
                }
            }

            if (failure.StatusCode == 401)
            {
                request.Credential.Invalidate?.Invoke();
            }

            throw failure;
        }
    }

    private GitHubApiException Classify(Exception exception, CallState state)
    {
        var request = state.Request;
        var now = _timeProvider.GetUtcNow();
        switch (exception)
        {
            case ApiException api:
                return ClassifyAnswer(api, state, now);
            case OperationCanceledException:
                return new(
                    $"GitHub did not answer {request.Operation} within {Seconds(_options.RequestTimeout)} (GitHub:RequestTimeout).",
                    null,
                    GitHubFailureKind.Transient);
            case HttpRequestException http:
                return new(
                    $"Cannot reach {request.ApiRoot} for {request.Operation}: {_masker.Apply(http.Message)}{Inner(http)} (check the network, HTTPS_PROXY/NO_PROXY and GitHub:ApiUrl).",
                    http.StatusCode is { } code ? (int)code : null,
                    GitHubFailureKind.Transient);
            case JsonException json:
                return new(
                    $"GitHub answered {request.Operation} with JSON that cannot be read: {_masker.Apply(json.Message)}",
                    null,
                    GitHubFailureKind.Transient);
            default:
                return new(
                    $"{request.Operation} failed: {exception.GetType().Name}: {_masker.Apply(exception.Message)}",
                    null,
                    GitHubFailureKind.Transient);
        }
    }

    private GitHubApiException ClassifyAnswer(ApiException api, CallState state, DateTimeOffset now)
    {
        var request = state.Request;
        var status = (int)api.StatusCode;
        var said = _masker.Apply(api.Message);
        var credential = request.Credential.Description;
        var headers = api.HttpResponse?.Headers;
        var remaining = Header(headers, "x-ratelimit-remaining");
        var reset = long.TryParse(Header(headers, "x-ratelimit-reset"), NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)
            ? DateTimeOffset.FromUnixTimeSeconds(epoch)
            : (DateTimeOffset?)null;
        var retryAfter = ParseRetryAfter(Header(headers, "retry-after"), now);

        if (status is 403 or 429)
        {
            // GitHub answers either limit with 403 or 429 alike, so the headers and the message decide, never the status:
            // Retry-After or "secondary rate limit" is the secondary limit, x-ratelimit-remaining: 0 the primary one.
            var secondary = retryAfter is not null
                || api is SecondaryRateLimitExceededException or AbuseException
                || said.Contains("secondary rate limit", StringComparison.OrdinalIgnoreCase);
            var primary = !secondary && (remaining == "0" || api is RateLimitExceededException);
            if (!primary && (secondary || status == 429 || said.Contains("rate limit", StringComparison.OrdinalIgnoreCase)))
            {
                // Secondary limit: Retry-After when given, else until the reset when the primary count is out too,
                // else at least a minute, doubling each time.
                var named = retryAfter
                    ?? (remaining == "0" && reset is { } r ? r.AddSeconds(PrimaryResetMarginSeconds) : (DateTimeOffset?)null);
                state.NamedLimit = named is null ? null : new NamedLimit([RateLimitMemory.AnyResource], Secondary: true);
                var at = named ?? now + (SecondaryLimitMinimumWait * Math.Pow(2, state.UnhintedSecondaryWaits++));
                return new(
                    $"GitHub's secondary rate limit stopped {request.Operation} ({status}: {said}); retry after {Time(at)}.",
                    status,
                    GitHubFailureKind.RateLimited,
                    at);
            }

            if (primary)
            {
                var at = (reset ?? now + SecondaryLimitMinimumWait).AddSeconds(PrimaryResetMarginSeconds);
                var resource = Header(headers, "x-ratelimit-resource");
                state.NamedLimit = reset is null ? null : new NamedLimit(string.IsNullOrEmpty(resource) ? [] : [resource], Secondary: false);
                return new(
                    $"GitHub's API rate limit for {credential} is used up ({status}: {said}) at {request.Operation}; it resets at {Time(at)}: retry after then.",
                    status,
                    GitHubFailureKind.RateLimited,
                    at);
            }
        }

        var lookedAt = request.Credential.LookedAt.Count == 0 ? string.Empty : $" Credentials looked at, in order: {string.Join("; ", request.Credential.LookedAt)}.";
        return status switch
        {
            401 => new(
                $"GitHub rejected {credential} (401: {said}) at {request.Operation}: it is wrong, expired or revoked. {Capitalized(request.PermissionHint)}.{lookedAt}",
                status,
                GitHubFailureKind.Permanent),
            403 => new(
                $"GitHub refused {request.Operation} to {credential} (403: {said}): {request.PermissionHint}.{lookedAt}",
                status,
                GitHubFailureKind.Permanent),
            404 => new(
                $"GitHub answered 404 to {request.Operation}: {request.NotFoundHint ?? "it does not exist, or " + credential + " may not see it (GitHub answers 404, not 403, to hide what a credential may not access)"}. {Capitalized(request.PermissionHint)}.",
                status,
                GitHubFailureKind.Permanent),
            >= 500 => new(
                $"GitHub failed on {request.Operation} ({status}: {said}).",
                status,
                GitHubFailureKind.Transient),
            _ => new(
                $"GitHub refused {request.Operation} ({status}: {said}).",
                status,
                GitHubFailureKind.Permanent),
        };
    }

    private ResiliencePipeline BuildPipeline()
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = _timeProvider };
        if (_options.MaxRetryAttempts == 0)
        {
            return builder.Build();
        }

        builder.AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = _options.MaxRetryAttempts,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = _options.RetryDelay,
            MaxDelay = TimeSpan.FromMinutes(1),
            ShouldHandle = args => new ValueTask<bool>(ShouldRetry(args.Outcome.Exception, args.Context, args.AttemptNumber)),
            DelayGenerator = args => new ValueTask<TimeSpan?>(
                args.Outcome.Exception is GitHubApiException { Failure: GitHubFailureKind.RateLimited } limited
                    ? RateLimitWait(limited)
                    : null),
            OnRetry = args =>
            {
                var state = args.Context.Properties.GetValue(StateKey, null!);
                var error = args.Outcome.Exception?.Message ?? "no result";
                if (args.Outcome.Exception is GitHubApiException { Failure: GitHubFailureKind.RateLimited })
                {
                    state.RateLimitWaited += args.RetryDelay;
                    Log.RateLimitWait(_logger, state.Request.Operation, LogText.Duration(args.RetryDelay), error);
                }
                else
                {
                    var (call, calls, where) = Position(args.AttemptNumber, retrying: true);
                    Log.Retrying(_logger, state.Request.Operation, call, calls, where, LogText.Duration(args.RetryDelay), error);
                }

                return default;
            },
        });
        return builder.Build();
    }

    /// <summary>Whether a failed call is sent again: a transient failure while the retry budget lasts, a rate limit soon enough.</summary>
    /// <param name="exception">The failure.</param>
    /// <param name="context">The call's context, with its <see cref="CallState"/>.</param>
    /// <param name="attemptIndex">The failed call's index (0 for the first call).</param>
    private bool ShouldRetry(Exception? exception, ResilienceContext context, int attemptIndex)
    {
        switch (exception)
        {
            case GitHubApiException { Failure: GitHubFailureKind.Transient } failed:
                // Within a refresh, every GitHub call of every attempt takes its retries from one budget: an engine
                // attempt never multiplies them (GitHub:MaxRetryAttempts retries in all, not per call per attempt).
                if (RefreshAttempt.Current is { } attempt && !attempt.TryTakeRetry(RetryBudget, _options.MaxRetryAttempts))
                {
                    var spent = context.Properties.GetValue(StateKey, null!);
                    var (call, calls, where) = Position(attemptIndex, retrying: false);
                    Log.RetriesSpent(_logger, spent.Request.Operation, call, calls, where, _options.MaxRetryAttempts, failed.Message);
                    return false;
                }

                return true;
            case GitHubApiException { Failure: GitHubFailureKind.RateLimited } limited:
                var state = context.Properties.GetValue(StateKey, null!);
                var wait = RateLimitWait(limited);
                if (state.RateLimitWaited + wait <= _options.MaxRateLimitWait)
                {
                    return true;
                }

                Log.RateLimitTooLong(_logger, state.Request.Operation, LogText.Duration(wait), LogText.Duration(_options.MaxRateLimitWait), LogText.Time(limited.RetryAfter ?? _timeProvider.GetUtcNow()));
                return false;
            default:
                return false;
        }
    }

    /// <summary>
    /// Where a failed call stands, for the log: its number, how many it may make in all, and the refresh attempt it
    /// belongs to. Within a refresh, the calls it may make are those made plus the retries left in the refresh's budget.
    /// </summary>
    /// <param name="attemptIndex">The failed call's index (0 for the first call).</param>
    /// <param name="retrying">Whether a retry follows (its share of the budget already taken).</param>
    private (int Call, int Calls, string Where) Position(int attemptIndex, bool retrying)
    {
        var call = attemptIndex + 1;
        if (RefreshAttempt.Current is not { } attempt)
        {
            return (call, _options.MaxRetryAttempts + 1, "outside a refresh");
        }

        if (!retrying)
        {
            return (call, call, attempt.ToString());
        }

        var left = _options.MaxRetryAttempts - attempt.RetriesTaken(RetryBudget);
        return (call, Math.Min(call + 1 + left, _options.MaxRetryAttempts + 1), attempt.ToString());
    }

    /// <summary>
    /// How long to wait for the time GitHub named, and a little past it: a timer runs on the coarse monotonic clock (a
    /// few ms a tick) and may end just before the wall-clock time, when the remembered limit still refuses the call.
    /// </summary>
    private TimeSpan RateLimitWait(GitHubApiException limited)
    {
        var wait = (limited.RetryAfter ?? _timeProvider.GetUtcNow()) - _timeProvider.GetUtcNow();
        return wait <= TimeSpan.Zero ? TimeSpan.Zero : wait + RateLimitMargin;
    }

    /// <summary>What <see cref="RateLimitWait"/> adds to a wait for a named time.</summary>
    private static readonly TimeSpan RateLimitMargin = TimeSpan.FromMilliseconds(50);

    private static DateTimeOffset? ParseRetryAfter(string? value, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return now.AddSeconds(seconds);
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
    }

    /// <summary>What the answer says of the rate limit left, for the runner's metrics.</summary>
    private void ObserveRateLimit(GitHubRequest request, IReadOnlyDictionary<string, string>? headers) =>
        _rateLimitSource?.Observe(
            request.Scope,
            request.RateLimitResource,
            Header(headers, "x-ratelimit-remaining"),
            Header(headers, "x-ratelimit-resource"));

    private static string? Header(IReadOnlyDictionary<string, string>? headers, string name)
    {
        if (headers is null)
        {
            return null;
        }

        foreach (var (key, value) in headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value.Trim();
            }
        }

        return null;
    }

    private string Inner(Exception exception) =>
        exception.InnerException is { } inner ? $" ({_masker.Apply(inner.Message)})" : string.Empty;

    private static string Capitalized(string text) =>
        text.Length == 0 ? text : string.Concat(char.ToUpperInvariant(text[0]).ToString(), text.AsSpan(1));

    private static string Seconds(TimeSpan time) => string.Create(CultureInfo.InvariantCulture, $"{time.TotalSeconds:0.###} s");

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string RateLimitKey(GitHubRequest request) => $"{request.ApiRoot.AbsoluteUri}|{request.Credential.Key}";

    /// <summary>A limit whose end GitHub named, for the buckets it holds for.</summary>
    private sealed record NamedLimit(IReadOnlyList<string> Resources, bool Secondary);

    /// <summary>What one call has been through across its attempts.</summary>
    private sealed class CallState(GitHubRequest request)
    {
        public GitHubRequest Request { get; } = request;

        public TimeSpan RateLimitWaited { get; set; }

        public int UnhintedSecondaryWaits { get; set; }

        /// <summary>Gets or sets the limit GitHub named in its last answer, if that was one.</summary>
        public NamedLimit? NamedLimit { get; set; }
    }
}
