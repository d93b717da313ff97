namespace RunnerTokens.GitHub;

/// <summary>What a credential needs to manage the runners of a scope (RUNNER-FACTS.md), said when GitHub refuses.</summary>
internal static class Permissions
{
    public static string For(RunnerScope scope, CredentialKind kind) => (scope.Kind, kind) switch
    {
        (RunnerScopeKind.Organization, CredentialKind.AppInstallation or CredentialKind.AppJwt) =>
            $"the GitHub App needs the organization permission \"Self-hosted runners: read and write\" and must be installed on {scope.Owner}",
        (RunnerScopeKind.Repository, CredentialKind.AppInstallation or CredentialKind.AppJwt) =>
            $"the GitHub App needs the repository permission \"Administration: read and write\" and must be installed on {scope.DisplayName}",
        (RunnerScopeKind.Enterprise, CredentialKind.AppInstallation or CredentialKind.AppJwt) =>
            "GitHub Apps cannot manage enterprise runners: use a personal access token (classic) with the manage_runners:enterprise scope",
        (RunnerScopeKind.Organization, _) =>
            $"the token needs the admin:org scope (classic personal access token) or the organization permission \"Self-hosted runners: read and write\" (fine-grained), from an owner of {scope.Owner}",
        (RunnerScopeKind.Repository, _) =>
            $"the token needs the repo scope (classic personal access token) or the repository permission \"Administration: read and write\" (fine-grained), from an admin of {scope.DisplayName}",
        _ =>
            $"the token needs the manage_runners:enterprise scope (classic personal access token), from an owner of the enterprise {scope.Owner}",
    };
}
