using Microsoft.Extensions.Options;

namespace RunnerTokens.GitHub;

/// <summary>
/// The credential a refresh of the runner would use is found and GitHub accepts it: one read-only call, the scope's
/// runner lookup by the runner's name. Without a credential it says what to set; with the gh CLI's, that gh
/// is there. Nothing it says holds the token.
/// </summary>
internal sealed class GitHubCredentialCheck(IOptions<GitHubOptions> options, RunnerLookup lookup, SecretMasker masker) : IRunnerPreflightCheck
{
    public const string Title = "GitHub credential works";
    public const string GhTitle = "gh CLI is installed and logged in";

    public const string NoCredentialRemedy =
        "set GITHUB_TOKEN_FILE (--token-file), or LoadCredential=github-token in the unit, or GITHUB_APP_ID (--app-id) with GITHUB_APP_PRIVATE_KEY_FILE (--app-key-file), or log in with `gh auth login` as this user";

    public bool GuardsRefresh => false;

    public async ValueTask<IReadOnlyList<PreflightResult>> CheckAsync(RunnerContext runner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var scope = runner.Scope;
        try
        {
            var (credential, listed) = await lookup.CheckAccessAsync(scope, runner.Name, cancellationToken).ConfigureAwait(false);
            var where = scope.Kind switch
            {
                RunnerScopeKind.Organization => $"organisation {scope.DisplayName}",
                RunnerScopeKind.Repository => $"repository {scope.DisplayName}",
                _ => $"enterprise {scope.Owner}",
            };
            var runnerSays = listed ? $"GitHub lists '{runner.Name}'" : $"GitHub has no runner '{runner.Name}' (it is registered again at the next refresh)";
            var results = new List<PreflightResult> { PreflightResult.Ok(Title, masker.Apply($"{credential.Description}, {where}; {runnerSays}")) };
            if (credential.Kind == CredentialKind.GitHubCli)
            {
                results.Add(PreflightResult.Ok(GhTitle, options.Value.GhPath));
            }

            return results;
        }
        catch (GitHubApiException ex)
        {
            var message = masker.Apply(ex.Message);
            if (ex.StatusCode is null && ex.Failure == GitHubFailureKind.Permanent)
            {
                // Found none, or the one configured cannot be read: nothing can be fetched for any refresh.
                return [PreflightResult.Failed(Title, message, NoCredentialRemedy, blocksRefresh: true)];
            }

            if (ex.StatusCode is 401 or 403 or 404 && ex.RetryAfter is null)
            {
                return [PreflightResult.Failed(
                    Title,
                    message,
                    "give the credential the permission named above, or replace it (GITHUB_TOKEN_FILE, --token-file, LoadCredential=github-token)",
                    blocksRefresh: true)];
            }

            if (ex.Failure == GitHubFailureKind.RateLimited)
            {
                // Nothing is wrong with the setup: GitHub asked for a pause, and a check must not call it again.
                return [PreflightResult.Unknown(Title, message, "nothing to change: GitHub asked not to be called before then")];
            }

            return [PreflightResult.Unknown(Title, $"cannot reach GitHub: {message}", "check the network, the proxy (HTTPS_PROXY) and GitHub:ApiUrl")];
        }
    }
}
