using System.Security.Cryptography;
using System.Text;

namespace RunnerTokens.GitHub;

/// <summary>Where a credential came from.</summary>
internal enum CredentialKind
{
    /// <summary>A GitHub App installation token.</summary>
    AppInstallation,

    /// <summary>The GitHub App's own JWT, for the App endpoints.</summary>
    AppJwt,

    /// <summary>A token file.</summary>
    TokenFile,

    /// <summary>GITHUB_TOKEN or GH_TOKEN.</summary>
    Environment,

    /// <summary>gh auth token.</summary>
    GitHubCli,
}

/// <summary>A bearer token for one call, and words to name it in errors. <see cref="ToString"/> never shows the token.</summary>
internal sealed class GitHubCredential
{
    // identity: what the credential stands for when its token changes but GitHub's limits and answers do not (an App's
    // installation, whose token is renewed every hour); by default a hash of the token names it.
    public GitHubCredential(string token, CredentialKind kind, string description, IReadOnlyList<string> lookedAt, Action? invalidate = null, string? identity = null)
    {
        Token = token;
        Kind = kind;
        Description = description;
        LookedAt = lookedAt;
        Invalidate = invalidate;

        // The ETag cache and the rate limits are per credential; a hash names it without holding it.
        Key = identity is null ? $"{kind}:{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)), 0, 8)}" : $"{kind}:{identity}";
    }

    /// <summary>Gets the token: a secret.</summary>
    public string Token { get; }

    public CredentialKind Kind { get; }

    /// <summary>Gets the credential named for a person, such as <c>the token in GITHUB_TOKEN</c>.</summary>
    public string Description { get; }

    /// <summary>Gets what was looked at, in order, to find this credential, for error messages.</summary>
    public IReadOnlyList<string> LookedAt { get; }

    /// <summary>Gets a name for caches and rate limits, without the secret.</summary>
    public string Key { get; }

    /// <summary>Gets what forgets this credential after GitHub rejected it, so the next call looks again.</summary>
    public Action? Invalidate { get; }

    public override string ToString() => Description;
}
