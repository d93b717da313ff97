using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RunnerTokens.GitHub;

/// <summary>
/// Finds the credential for a scope, in order: GitHub App, token file (<see cref="GitHubOptions.TokenFile"/>, else
/// <c>$CREDENTIALS_DIRECTORY/github-token</c>), <c>GITHUB_TOKEN</c>, <c>GH_TOKEN</c>, <c>gh auth token</c>. Nothing is
/// read until a call needs it. When none is found, the error lists what was looked at and why each did not serve.
/// </summary>
internal sealed class CredentialResolver(
    IOptions<GitHubOptions> options,
    IEnvironmentVariables environment,
    GitHubAppAuthenticator app,
    GitHubCliTokenSource cli,
    SecretFile secretFile,
    SecretMasker masker,
    ILogger<CredentialResolver> logger)
{
    public const string GitHubTokenVariable = "GITHUB_TOKEN";
    public const string GhTokenVariable = "GH_TOKEN";
    public const string CredentialsDirectoryVariable = "CREDENTIALS_DIRECTORY";

    public async Task<GitHubCredential> GetAsync(RunnerScope scope, Uri apiRoot, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var lookedAt = new List<string>();
        if (app.IsConfigured)
        {
            if (scope.Kind != RunnerScopeKind.Enterprise)
            {
                return Chosen(scope, await app.GetInstallationCredentialAsync(scope, apiRoot, lookedAt, cancellationToken).ConfigureAwait(false));
            }

            lookedAt.Add("GitHub App: skipped, GitHub Apps cannot manage enterprise runners");
        }
        else
        {
            lookedAt.Add("GitHub App: not configured (GitHub:AppId or GitHub:ClientId, with GitHub:PrivateKeyFile)");
        }

        if (!string.IsNullOrWhiteSpace(o.TokenFile))
        {
            var token = secretFile.TryRead("token file (GitHub:TokenFile)", o.TokenFile, out var error)
                ?? throw new GitHubApiException($"No GitHub credential for {scope}: the {error}.", null, GitHubFailureKind.Permanent);
            return Chosen(scope, Token(token, CredentialKind.TokenFile, $"the token in {o.TokenFile}", lookedAt, $"token file {o.TokenFile}: used"));
        }

        var directory = environment.Get(CredentialsDirectoryVariable);
        if (!string.IsNullOrWhiteSpace(directory) && File.Exists(Path.Combine(directory, GitHubOptions.CredentialName)))
        {
            var path = Path.Combine(directory, GitHubOptions.CredentialName);
            var token = secretFile.TryRead("systemd credential", path, out var error)
                ?? throw new GitHubApiException($"No GitHub credential for {scope}: the {error}.", null, GitHubFailureKind.Permanent);
            return Chosen(scope, Token(token, CredentialKind.TokenFile, $"the token in {path} (systemd credential)", lookedAt, $"token file {path}: used"));
        }

        lookedAt.Add(string.IsNullOrWhiteSpace(directory)
            ? "token file: GitHub:TokenFile not set and no $CREDENTIALS_DIRECTORY"
            : $"token file: GitHub:TokenFile not set and no {GitHubOptions.CredentialName} in $CREDENTIALS_DIRECTORY");

        foreach (var name in (string[])[GitHubTokenVariable, GhTokenVariable])
        {
            var value = environment.Get(name)?.Trim();
            if (!string.IsNullOrEmpty(value))
            {
                return Chosen(scope, Token(value, CredentialKind.Environment, $"the token in {name}", lookedAt, $"{name}: used"));
            }

            lookedAt.Add($"{name}: not set");
        }

        if (o.UseGitHubCli)
        {
            var host = scope.ServerUrl.Host;
            var (token, error) = await cli.GetAsync(host, cancellationToken).ConfigureAwait(false);
            if (token is not null)
            {
                return Chosen(scope, Token(token, CredentialKind.GitHubCli, $"the gh CLI's token for {host}", lookedAt, "gh auth token: used", () => cli.Forget(host)));
            }

            lookedAt.Add($"gh auth token: {error}");
        }
        else
        {
            lookedAt.Add("gh auth token: turned off (GitHub:UseGitHubCli = false)");
        }

        throw new GitHubApiException(
            $"No GitHub credential found for {scope}. Looked at, in order: {string.Join("; ", lookedAt)}. Configure one: see the RunnerTokens.GitHub README.",
            null,
            GitHubFailureKind.Permanent);
    }

    private GitHubCredential Token(string token, CredentialKind kind, string description, List<string> lookedAt, string used, Action? invalidate = null)
    {
        masker.Add(token);
        return new GitHubCredential(token, kind, description, [.. lookedAt, used], invalidate);
    }

    private GitHubCredential Chosen(RunnerScope scope, GitHubCredential credential)
    {
        Log.CredentialChosen(logger, scope.DisplayName, credential.Description);
        return credential;
    }
}
