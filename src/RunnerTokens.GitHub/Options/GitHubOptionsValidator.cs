using Microsoft.Extensions.Options;

namespace RunnerTokens.GitHub;

/// <summary>Checks what the attributes cannot: the API URL's shape and a GitHub App configured in full or not at all.</summary>
internal sealed class GitHubOptionsValidator : IValidateOptions<GitHubOptions>
{
    public ValidateOptionsResult Validate(string? name, GitHubOptions options)
    {
        var errors = new List<string>();
        if (options.ApiUrl is { } apiUrl && !ApiRoot.TryParse(apiUrl, out _))
        {
            errors.Add($"GitHub:ApiUrl = '{apiUrl}' is not allowed: it must be an absolute http(s) URL such as https://api.github.com or https://ghes.example.com/api/v3.");
        }

        var hasIssuer = options.AppId is not null || !string.IsNullOrWhiteSpace(options.ClientId);
        var hasKey = !string.IsNullOrWhiteSpace(options.PrivateKeyFile);
        if (options.AppId is <= 0)
        {
            errors.Add($"GitHub:AppId = {options.AppId} is not allowed: it must be the App's positive numeric id (or set GitHub:ClientId instead).");
        }

        if (hasIssuer && !hasKey)
        {
            errors.Add("GitHub:PrivateKeyFile is not set: a GitHub App (GitHub:AppId or GitHub:ClientId is set) needs its private key file (PEM).");
        }

        if (hasKey && !hasIssuer)
        {
            errors.Add("GitHub:AppId and GitHub:ClientId are not set: a GitHub App private key (GitHub:PrivateKeyFile is set) needs the App's id or client id.");
        }

        if (options.InstallationId is { } installation && (installation <= 0 || !hasIssuer))
        {
            errors.Add(installation <= 0
                ? $"GitHub:InstallationId = {installation} is not allowed: it must be a positive number."
                : "GitHub:InstallationId is set but no GitHub App is: set GitHub:AppId (or GitHub:ClientId) and GitHub:PrivateKeyFile too.");
        }

        if (options.StateDirectory is { } stateDirectory && (string.IsNullOrWhiteSpace(stateDirectory) || !Path.IsPathFullyQualified(stateDirectory.Trim())))
        {
            errors.Add($"GitHub:StateDirectory = '{stateDirectory}' is not allowed: it must be an absolute path, such as /var/lib/runner-token-refresh (or leave it unset for the refresher's state folder).");
        }

        if (string.IsNullOrWhiteSpace(options.GhPath))
        {
            errors.Add("GitHub:GhPath is empty: it must name the gh program (default 'gh'), or set GitHub:UseGitHubCli to false.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
