using RunnerTokens.GitHub;

namespace RunnerTokens.Host.CommandLine;

/// <summary>The GitHub settings given by flags or variables; unset ones keep the config file's or the defaults.</summary>
/// <remarks>Tokens are never among them: GITHUB_TOKEN and GH_TOKEN are read by the GitHub package itself, at its first call.</remarks>
internal sealed class GitHubSettings
{
    public string? ApiUrl { get; set; }

    public string? TokenFile { get; set; }

    /// <summary>Gets or sets the App's numeric id or its client id (<c>Iv…</c>).</summary>
    public string? AppId { get; set; }

    public string? AppKeyFile { get; set; }

    public long? InstallationId { get; set; }

    public void ApplyTo(GitHubOptions options)
    {
        options.ApiUrl = ApiUrl ?? options.ApiUrl;
        options.TokenFile = TokenFile ?? options.TokenFile;
        options.PrivateKeyFile = AppKeyFile ?? options.PrivateKeyFile;
        options.InstallationId = InstallationId ?? options.InstallationId;
        if (AppId is not null)
        {
            if (long.TryParse(AppId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
            {
                options.AppId = id;
            }
            else
            {
                options.ClientId = AppId;
            }
        }
    }
}
