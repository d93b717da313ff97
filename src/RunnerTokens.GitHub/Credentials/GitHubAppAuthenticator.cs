using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RunnerTokens.GitHub;

/// <summary>
/// Turns the GitHub App's key into installation tokens: signs a JWT, finds the installation for a scope's owner (unless
/// configured; remembered in the state folder across runs), exchanges the JWT for an installation token, and keeps that
/// token until 5 minutes before it expires, in memory and in the state folder (<see cref="InstallationTokenFile"/>), so a
/// timer or cron run uses the token an earlier run fetched.
/// Caches are per API root and installation, so several GitHub instances and organisations share one process.
/// </summary>
internal sealed class GitHubAppAuthenticator(
    IOptions<GitHubOptions> options,
    GitHubApiClient api,
    InstallationMemory installations,
    InstallationTokenFile tokenFile,
    SecretFile secretFile,
    SecretMasker masker,
    TimeProvider timeProvider,
    ILogger<GitHubAppAuthenticator> logger)
{
    private const string KeyFileDescription = "GitHub App private key file (GitHub:PrivateKeyFile)";
    internal static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan JwtRenewBefore = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset ExpiresAt)> _installationTokens = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (string Jwt, DateTimeOffset Until)? _jwt;

    public bool IsConfigured =>
        (options.Value.AppId is not null || !string.IsNullOrWhiteSpace(options.Value.ClientId)) && !string.IsNullOrWhiteSpace(options.Value.PrivateKeyFile);

    private string Issuer => !string.IsNullOrWhiteSpace(options.Value.ClientId)
        ? options.Value.ClientId.Trim()
        : options.Value.AppId!.Value.ToString(CultureInfo.InvariantCulture);

    public async Task<GitHubCredential> GetInstallationCredentialAsync(RunnerScope scope, Uri apiRoot, List<string> lookedAt, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var configured = options.Value.InstallationId;
            var installation = configured ?? await FindInstallationAsync(scope, apiRoot, lookedAt, cancellationToken).ConfigureAwait(false);
            var key = $"{apiRoot.AbsoluteUri}|{installation}";
            var now = timeProvider.GetUtcNow();
            var inMemory = _installationTokens.TryGetValue(key, out var held);
            // The key file is read only when the state folder's tokens are looked at or written: not for a token held.
            var sealingKey = inMemory && held.ExpiresAt - RenewBefore > now ? null : SealingKey();
            if (!inMemory
                && sealingKey is not null
                && tokenFile.Find(FileKey(key), sealingKey) is { } kept
                && kept.ExpiresAt - RenewBefore > now)
            {
                // Fetched by an earlier process (a timer or cron run, the daemon before a restart).
                masker.Add(kept.Token);
                Log.InstallationTokenReused(logger, installation, LogText.Time(kept.ExpiresAt));
                held = kept;
                _installationTokens[key] = held;
            }

            if (held.Token is null || held.ExpiresAt - RenewBefore <= now)
            {
                try
                {
                    held = await RequestInstallationTokenAsync(apiRoot, installation, lookedAt, cancellationToken).ConfigureAwait(false);
                }
                catch (GitHubApiException ex) when (configured is null && ex.StatusCode is 401 or 404)
                {
                    // The installation looked up before is gone: the App was reinstalled (a new id) or uninstalled.
                    // Look it up again, once; a configured id is the operator's to change.
                    installations.Forget(OwnerKey(scope, apiRoot));
                    _installationTokens.TryRemove(key, out _);
                    var found = await FindInstallationAsync(scope, apiRoot, lookedAt, cancellationToken).ConfigureAwait(false);
                    if (found == installation)
                    {
                        throw;
                    }

                    Log.InstallationChanged(logger, scope.DisplayName, installation, found);
                    installation = found;
                    key = $"{apiRoot.AbsoluteUri}|{installation}";
                    held = await RequestInstallationTokenAsync(apiRoot, installation, lookedAt, cancellationToken).ConfigureAwait(false);
                }

                _installationTokens[key] = held;
                if (sealingKey is not null)
                {
                    tokenFile.Remember(FileKey(key), held.Token, held.ExpiresAt, now, sealingKey);
                }
            }

            var fileKey = FileKey(key);
            var description = $"the GitHub App {Issuer}'s installation {installation} token";
            var used = new List<string>(lookedAt) { $"GitHub App {Issuer}, installation {installation}: used" };
            return new GitHubCredential(
                held.Token,
                CredentialKind.AppInstallation,
                description,
                used,
                () =>
                {
                    _installationTokens.TryRemove(key, out _);
                    tokenFile.Forget(fileKey);
                },
                identity: $"{Issuer}/installations/{installation}");
        }
        finally
        {
            _gate.Release();
        }
    }

    private static string OwnerPath(RunnerScope scope) =>
        scope.Kind == RunnerScopeKind.Repository ? $"repos/{scope.Owner}/{scope.Repository}" : $"orgs/{scope.Owner}";

    // The key that seals the installation tokens in the state folder: from the App's key as it is now (a rotated key
    // makes the tokens sealed with the old one useless); null when the key cannot be read (signing a JWT then fails and says why).
    private byte[]? SealingKey() =>
        secretFile.TryRead(KeyFileDescription, options.Value.PrivateKeyFile!, out _) is { } pem ? InstallationTokenFile.SealingKey(pem) : null;

    // The App is part of the file's key: the file outlives a change of GitHub:AppId or GitHub:ClientId.
    private string FileKey(string key) => $"{Issuer}|{key}";

    private string OwnerKey(RunnerScope scope, Uri apiRoot) => $"{Issuer}|{apiRoot.AbsoluteUri}|{OwnerPath(scope)}";

    private async Task<(string Token, DateTimeOffset ExpiresAt)> RequestInstallationTokenAsync(Uri apiRoot, long installation, List<string> lookedAt, CancellationToken cancellationToken)
    {
        var jwt = CreateJwtCredential(lookedAt);
        var answer = await api.SendAsync<TokenResponse>(
            new GitHubRequest(HttpMethod.Post, apiRoot, $"app/installations/{installation}/access_tokens", jwt)
            {
                PermissionHint = $"the App JWT must be signed with the current private key of the App {Issuer} (GitHub:PrivateKeyFile), and the installation {installation} must belong to it",
                NotFoundHint = $"the GitHub App {Issuer} has no installation {installation}: check GitHub:InstallationId, or leave it unset to find the installation",
            },
            cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(answer.Token) || answer.ExpiresAt is not { } expiresAt)
        {
            throw new GitHubApiException(
                $"GitHub answered POST app/installations/{installation}/access_tokens without a token or expires_at.", 201, GitHubFailureKind.Transient);
        }

        masker.Add(answer.Token);
        Log.InstallationTokenRenewed(logger, installation, LogText.Time(expiresAt));
        return (answer.Token, expiresAt);
    }

    private async Task<long> FindInstallationAsync(RunnerScope scope, Uri apiRoot, List<string> lookedAt, CancellationToken cancellationToken)
    {
        var owner = OwnerPath(scope);
        var key = OwnerKey(scope, apiRoot);
        if (installations.Find(key) is { } known)
        {
            return known;
        }

        var jwt = CreateJwtCredential(lookedAt);
        var answer = await api.SendAsync<InstallationResponse>(
            new GitHubRequest(HttpMethod.Get, apiRoot, $"{owner}/installation", jwt)
            {
                PermissionHint = $"the App JWT must be signed with the current private key of the App {Issuer} (GitHub:PrivateKeyFile)",
                NotFoundHint = $"the GitHub App {Issuer} is not installed on {scope.DisplayName}: install it there (with {(scope.Kind == RunnerScopeKind.Repository ? "the repository permission \"Administration: read and write\"" : "the organization permission \"Self-hosted runners: read and write\"")}), or set GitHub:InstallationId",
            },
            cancellationToken).ConfigureAwait(false);
        installations.Remember(key, answer.Id);
        Log.InstallationFound(logger, scope.DisplayName, answer.Id);
        return answer.Id;
    }

    private GitHubCredential CreateJwtCredential(List<string> lookedAt)
    {
        var now = timeProvider.GetUtcNow();
        if (_jwt is not { } jwt || jwt.Until <= now)
        {
            var path = options.Value.PrivateKeyFile!;
            var pem = secretFile.TryRead(KeyFileDescription, path, out var error)
                ?? throw new GitHubApiException($"The GitHub App {Issuer} cannot sign in: {error}.", null, GitHubFailureKind.Permanent);
            using var rsa = RSA.Create();
            try
            {
                rsa.ImportFromPem(pem);
            }
            catch (Exception ex) when (ex is ArgumentException or CryptographicException)
            {
                throw new GitHubApiException(
                    $"The GitHub App {Issuer} cannot sign in: GitHub App private key file (GitHub:PrivateKeyFile) '{path}' holds no RSA private key in PEM form ({ex.GetType().Name}).",
                    null,
                    GitHubFailureKind.Permanent);
            }

            var token = AppJwt.Create(Issuer, rsa, now);
            masker.Add(token);
            jwt = (token, now + AppJwt.Lifetime - JwtRenewBefore);
            _jwt = jwt;
        }

        return new GitHubCredential(
            jwt.Jwt,
            CredentialKind.AppJwt,
            $"the GitHub App {Issuer}'s JWT (signed with {options.Value.PrivateKeyFile})",
            [.. lookedAt, $"GitHub App {Issuer}: used"],
            () => _jwt = null,
            identity: Issuer);
    }
}
