using System.Text.Json.Serialization;

namespace RunnerTokens.GitHub;

/// <summary>The answer of <c>…/registration-token</c>, <c>…/remove-token</c> and <c>/app/installations/{id}/access_tokens</c>.</summary>
internal sealed class TokenResponse
{
    public string? Token { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }
}

/// <summary>The answer of <c>GET …/actions/runners</c>.</summary>
internal sealed class RunnerListResponse
{
    public int TotalCount { get; set; }

    public List<RunnerResponse>? Runners { get; set; }
}

/// <summary>One runner in a listing.</summary>
internal sealed class RunnerResponse
{
    public long Id { get; set; }

    public string? Name { get; set; }

    public string? Os { get; set; }

    public string? Status { get; set; }

    public bool Busy { get; set; }

    public bool? Ephemeral { get; set; }

    public long? RunnerGroupId { get; set; }

    public List<LabelResponse>? Labels { get; set; }
}

/// <summary>One label of a listed runner: <c>type</c> is <c>read-only</c> for the defaults (<c>self-hosted</c>, OS, architecture), <c>custom</c> for the others.</summary>
internal sealed class LabelResponse
{
    public string? Name { get; set; }

    public string? Type { get; set; }
}

/// <summary>The answer of <c>GET /orgs/{org}/installation</c> and <c>GET /repos/{owner}/{repo}/installation</c>.</summary>
internal sealed class InstallationResponse
{
    public long Id { get; set; }
}

/// <summary>System.Text.Json metadata generated at build time: no reflection, AOT-safe.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(RunnerListResponse))]
[JsonSerializable(typeof(InstallationResponse))]
internal sealed partial class GitHubJsonContext : JsonSerializerContext;
