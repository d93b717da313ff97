using System.Text.Json.Serialization;

namespace RunnerTokens.State;

/// <summary>
/// The registration record (<c>registration.json</c> in the runner's state folder): what it takes to register the
/// runner again exactly as it was, kept for when <c>.runner</c> is gone (the listener deletes it after a 404) or
/// GitHub no longer lists the runner. Never a token.
/// </summary>
internal sealed record RegistrationRecord
{
    public const int CurrentVersion = 1;

    [JsonPropertyName("version")]
    public int Version { get; init; } = CurrentVersion;

    /// <summary>Gets the runner directory, by which a runner without <c>.runner</c> finds its record again.</summary>
    [JsonPropertyName("directory")]
    public string Directory { get; init; } = string.Empty;

    [JsonPropertyName("name")]
    public string Name { get; init; } = string.Empty;

    [JsonPropertyName("url")]
    public string Url { get; init; } = string.Empty;

    [JsonPropertyName("id")]
    public long? Id { get; init; }

    [JsonPropertyName("runner_group")]
    public string? RunnerGroup { get; init; }

    [JsonPropertyName("work_folder")]
    public string? WorkFolder { get; init; }

    /// <summary>Gets the custom labels; null when no source has told them yet.</summary>
    [JsonPropertyName("labels")]
    public IReadOnlyList<string>? Labels { get; init; }

    /// <summary>Gets whether the runner has no default labels; null when no source has told it yet.</summary>
    [JsonPropertyName("no_default_labels")]
    public bool? NoDefaultLabels { get; init; }

    [JsonPropertyName("ephemeral")]
    public bool Ephemeral { get; init; }

    [JsonPropertyName("disable_update")]
    public bool DisableUpdate { get; init; }

    [JsonPropertyName("monitor_socket_address")]
    public string? MonitorSocketAddress { get; init; }

    /// <summary>Gets when the server was last asked for what the runner's files do not hold (labels); null for never.</summary>
    [JsonPropertyName("listed_at")]
    public DateTimeOffset? ListedAt { get; init; }

    /// <summary>Whether two records hold the same facts (the write is skipped when nothing changed).</summary>
    public bool SameFacts(RegistrationRecord other) =>
        this with { Labels = null } == other with { Labels = null }
        && (Labels is null ? other.Labels is null : other.Labels is not null && Labels.SequenceEqual(other.Labels, StringComparer.Ordinal));
}
