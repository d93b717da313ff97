using System.Text.Json.Serialization;

namespace RunnerTokens.Metrics;

/// <summary>
/// The seed script's metrics file, field for field. Timestamps are Unix seconds; 0 means never. A record, so a write
/// can tell what changed (only the check's time stamp, or a counter too).
/// </summary>
internal sealed record MetricsDocument
{
    [JsonPropertyName("last_check_timestamp")]
    public long LastCheckTimestamp { get; set; }

    [JsonPropertyName("last_refresh_timestamp")]
    public long LastRefreshTimestamp { get; set; }

    [JsonPropertyName("total_refreshes")]
    public long TotalRefreshes { get; set; }

    [JsonPropertyName("failed_refreshes")]
    public long FailedRefreshes { get; set; }

    [JsonPropertyName("consecutive_failures")]
    public int ConsecutiveFailures { get; set; }

    [JsonPropertyName("runner_org")]
    public string? RunnerOrg { get; set; }

    [JsonPropertyName("runner_name")]
    public string? RunnerName { get; set; }
}
