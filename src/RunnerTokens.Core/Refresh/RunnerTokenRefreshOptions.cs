using System.ComponentModel.DataAnnotations;

namespace RunnerTokens;

/// <summary>Options of the refresh engine, shared by every runner it keeps.</summary>
public sealed class RunnerTokenRefreshOptions
{
    /// <summary>The default <see cref="RefreshThreshold"/>: 300 seconds.</summary>
    public const int DefaultRefreshThresholdSeconds = 300;

    /// <summary>The default <see cref="CheckInterval"/>: 60 seconds.</summary>
    public const int DefaultCheckIntervalSeconds = 60;

    /// <summary>The default <see cref="MaxRetryAttempts"/>: 3.</summary>
    public const int DefaultMaxRetryAttempts = 3;

    /// <summary>The default <see cref="RetryBackoff"/>: 30 seconds.</summary>
    public const int DefaultRetryBackoffSeconds = 30;

    /// <summary>The default <see cref="LockTimeout"/>: 10 seconds.</summary>
    public const int DefaultLockTimeoutSeconds = 10;

    /// <summary>The default <see cref="MetricsFile"/>, as the seed script's <c>METRICS_FILE</c>.</summary>
    public const string DefaultMetricsFile = "/var/tmp/runner-token-metrics.json";

    /// <summary>Gets the runners to keep registered; each is handled on its own.</summary>
    public IList<RunnerOptions> Runners { get; } = [];

    /// <summary>Gets or sets how long before the earliest expiry the registration is renewed.</summary>
    /// <value>The default value is 300 seconds. It must be shorter than the registration token's one-hour life.</value>
    [SettingRange("00:00:00", "00:59:59")]
    public TimeSpan RefreshThreshold { get; set; } = TimeSpan.FromSeconds(DefaultRefreshThresholdSeconds);

    /// <summary>Gets or sets the time between two checks in daemon mode.</summary>
    /// <value>The default value is 60 seconds.</value>
    [SettingRange("00:00:01", "1.00:00:00")]
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(DefaultCheckIntervalSeconds);

    /// <summary>Gets or sets how many times in all a refresh is attempted before it counts as failed (the first attempt included).</summary>
    /// <value>The default value is 3.</value>
    [SettingRange(1, 100)]
    public int MaxRetryAttempts { get; set; } = DefaultMaxRetryAttempts;

    /// <summary>Gets or sets the wait between two attempts of a refresh.</summary>
    /// <value>The default value is 30 seconds.</value>
    [SettingRange("00:00:00", "01:00:00")]
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromSeconds(DefaultRetryBackoffSeconds);

    /// <summary>Gets or sets how long a check waits for another process (a cron run, a daemon) working on the same runner.</summary>
    /// <value>The default value is 10 seconds. After it, the check is postponed to the next one.</value>
    [SettingRange("00:00:00", "00:10:00")]
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(DefaultLockTimeoutSeconds);

    /// <summary>Gets or sets when a registration is renewed.</summary>
    /// <value>The default value is <see cref="RefreshPolicy.Expiry"/>, the seed script's behaviour.</value>
    [EnumDataType(typeof(RefreshPolicy))]
    public RefreshPolicy Policy { get; set; } = RefreshPolicy.Expiry;

    /// <summary>Gets or sets a value indicating whether to observe and decide only: log the plan, change nothing, call no token endpoint.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool DryRun { get; set; }

    /// <summary>Gets or sets the metrics file, in the seed script's JSON format, for runners that do not set their own.</summary>
    /// <value>The default value is <c>/var/tmp/runner-token-metrics.json</c>.</value>
    [Required]
    public string MetricsFile { get; set; } = DefaultMetricsFile;

    /// <summary>
    /// Gets or sets the file, in the Prometheus text format, that holds every runner's <c>runner_token_refresh_*</c>
    /// metrics for node_exporter's textfile collector; rewritten atomically after each check of every runner. Its name
    /// must end in <c>.prom</c>, the only files the collector reads.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: no Prometheus file.</value>
    public string? PrometheusFile { get; set; }

    /// <summary>Gets or sets the state folder; each runner gets a folder of its name inside it.</summary>
    /// <value>The default value is <see langword="null"/>: each runner keeps its state inside its own directory.</value>
    public string? StateDirectory { get; set; }
}
