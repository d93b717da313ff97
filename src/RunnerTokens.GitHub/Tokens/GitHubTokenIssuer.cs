using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RunnerTokens.GitHub;

/// <summary>
/// Registration and remove tokens from <c>POST /{orgs/ORG|repos/OWNER/REPO|enterprises/ENT}/actions/runners/{registration|remove}-token</c>.
/// A token is reused for other runners of the same scope while more than 30 minutes of its life remain, so many runners
/// on one host cost one call (and, under the expiry policy, runners renewed with one token come due together again);
/// a refresh's second or later attempt takes a fresh one.
/// </summary>
internal sealed class GitHubTokenIssuer(
    IOptions<GitHubOptions> options,
    CredentialResolver credentials,
    GitHubApiClient api,
    SecretMasker masker,
    TimeProvider timeProvider,
    ILogger<GitHubTokenIssuer> logger) : ITokenIssuer
{
    internal static readonly TimeSpan ReuseWhileLeft = TimeSpan.FromMinutes(30);

    private readonly ConcurrentDictionary<string, RegistrationToken> _tokens = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.OrdinalIgnoreCase);

    public Task<RegistrationToken> CreateRegistrationTokenAsync(RunnerScope scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return GetAsync(scope, "registration", cancellationToken);
    }

    public Task<RegistrationToken> CreateRemoveTokenAsync(RunnerScope scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return GetAsync(scope, "remove", cancellationToken);
    }

    private async Task<RegistrationToken> GetAsync(RunnerScope scope, string kind, CancellationToken cancellationToken)
    {
        var apiRoot = ApiRoot.For(scope, options.Value.ApiUrl);
        var key = $"{apiRoot.AbsoluteUri}|{scope.ApiPath}|{kind}";
        var gate = _gates.GetOrAdd(key, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // A retry of a refresh takes a fresh token: the held one may be what failed.
            var retry = RefreshAttempt.Current is { Number: > 1 };
            if (!retry && _tokens.TryGetValue(key, out var held) && held.ExpiresAt - timeProvider.GetUtcNow() > ReuseWhileLeft)
            {
                Log.TokenReused(logger, kind, scope.DisplayName, LogText.Time(held.ExpiresAt));
                return held;
            }

            var credential = await credentials.GetAsync(scope, apiRoot, cancellationToken).ConfigureAwait(false);
            var answer = await api.SendAsync<TokenResponse>(
                new GitHubRequest(HttpMethod.Post, apiRoot, $"{scope.ApiPath}/actions/runners/{kind}-token", credential)
                {
                    PermissionHint = Permissions.For(scope, credential.Kind),
                    RateLimitResource = GitHubRequest.RunnerRegistrationResource,
                    Scope = scope,
                },
                cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrEmpty(answer.Token) || answer.ExpiresAt is not { } expiresAt)
            {
                throw new GitHubApiException(
                    $"GitHub answered POST {scope.ApiPath}/actions/runners/{kind}-token without a token or expires_at.", 201, GitHubFailureKind.Transient);
            }

            masker.Add(answer.Token);
            var token = new RegistrationToken(answer.Token, expiresAt);
            _tokens[key] = token;
            Log.TokenFetched(logger, kind, scope.DisplayName, LogText.Time(expiresAt));
            return token;
        }
        finally
        {
            gate.Release();
        }
    }
}
