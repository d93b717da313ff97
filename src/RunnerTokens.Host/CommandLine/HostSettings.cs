using System.Globalization;

namespace RunnerTokens.Host.CommandLine;

/// <summary>
/// The settings of one run, from flags, then the seed script's environment variables, then defaults. Every bad
/// value is collected as one message naming the flag or variable, its value and what is allowed.
/// </summary>
internal sealed class HostSettings
{
    public const string DefaultLogFile = "/var/log/github-runner-token-refresh.log";

    public HostMode Mode { get; private set; }

    public bool DryRun { get; private set; }

    public RunnerTokenRefreshOptions Refresh { get; } = new();

    public string MetricsFile => Refresh.MetricsFile;

    public string? LogFile { get; private set; }

    public List<string> Errors { get; } = [];

    public static HostSettings Resolve(CommandLineValues values, IReadOnlyDictionary<string, string?> environment)
    {
        var settings = new HostSettings();
        settings.Read(values, environment);
        return settings;
    }

    private void Read(CommandLineValues values, IReadOnlyDictionary<string, string?> environment)
    {
        var modes = new List<(bool On, HostMode Mode)> { (values.Daemon, HostMode.Daemon), (values.CheckAndRefresh, HostMode.CheckAndRefresh), (values.Health, HostMode.Health) }
            .Where(m => m.On).Select(m => m.Mode).ToList();
        if (modes.Count > 1)
        {
            Errors.Add("--daemon, --check-and-refresh and --health exclude each other: choose one.");
        }

        Mode = modes.Count == 1 ? modes[0] : HostMode.None;
        DryRun = values.DryRun;
        Refresh.DryRun = values.DryRun;

        string? Setting(string? flagValue, string variable) =>
            flagValue ?? (environment.TryGetValue(variable, out var value) && !string.IsNullOrEmpty(value) ? value : null);

        Refresh.MetricsFile = Setting(values.MetricsFile, "METRICS_FILE") ?? RunnerTokenRefreshOptions.DefaultMetricsFile;
        LogFile = Setting(values.LogFile, "LOG_FILE");
        if (Mode == HostMode.Health)
        {
            return;
        }

        Refresh.RefreshThreshold = Seconds(values.Threshold, "--threshold", "REFRESH_THRESHOLD", environment, RunnerTokenRefreshOptions.DefaultRefreshThresholdSeconds, 0, 3599);
        Refresh.CheckInterval = Seconds(values.Interval, "--interval", "CHECK_INTERVAL", environment, RunnerTokenRefreshOptions.DefaultCheckIntervalSeconds, 1, 86_400);
        Refresh.MaxRetryAttempts = (int)Number(null, null, "MAX_RETRY_ATTEMPTS", environment, RunnerTokenRefreshOptions.DefaultMaxRetryAttempts, 1, 100);
        Refresh.RetryBackoff = Seconds(null, null, "RETRY_BACKOFF_SECONDS", environment, RunnerTokenRefreshOptions.DefaultRetryBackoffSeconds, 0, 3600);
        Refresh.StateDirectory = Setting(null, "STATE_DIRECTORY") is { } state
            ? state.Split(':', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() // systemd joins several with ':'
            : null;

        if (values.Policy is { } policy)
        {
            if (Enum.TryParse<RefreshPolicy>(policy, ignoreCase: true, out var parsed) && !int.TryParse(policy, out _))
            {
                Refresh.Policy = parsed;
            }
            else
            {
                Errors.Add($"--policy '{policy}' is not allowed: use expiry or registration.");
            }
        }

        var runner = new RunnerOptions
        {
            Organization = Setting(values.Org, "RUNNER_ORG"),
            Name = Setting(values.Name, "RUNNER_NAME"),
            Url = Setting(values.Url, "RUNNER_URL"),
            Directory = Setting(values.RunnerDir, "RUNNER_DIR") ?? RunnerOptions.DefaultDirectory,
        };
        foreach (var label in (values.Labels ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            runner.Labels.Add(label);
        }

        if (Mode != HostMode.None && runner.Organization is null && runner.Url is null)
        {
            Errors.Add("RUNNER_ORG is not set: give the organisation with --org ORG (or RUNNER_ORG), or the runner URL with --url (or RUNNER_URL).");
        }

        Refresh.Runners.Add(runner);
    }

    private TimeSpan Seconds(string? flagValue, string? flag, string variable, IReadOnlyDictionary<string, string?> environment, int fallback, int minimum, int maximum) =>
        TimeSpan.FromSeconds(Number(flagValue, flag, variable, environment, fallback, minimum, maximum));

    private long Number(string? flagValue, string? flag, string variable, IReadOnlyDictionary<string, string?> environment, int fallback, int minimum, int maximum)
    {
        string name;
        string? text;
        if (flagValue is not null)
        {
            (name, text) = (flag!, flagValue);
        }
        else if (environment.TryGetValue(variable, out var fromEnvironment) && !string.IsNullOrEmpty(fromEnvironment))
        {
            (name, text) = (variable, fromEnvironment);
        }
        else
        {
            return fallback;
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < minimum || value > maximum)
        {
            Errors.Add(string.Create(CultureInfo.InvariantCulture, $"{name} '{text}' is not allowed: it must be a whole number from {minimum} to {maximum}."));
            return fallback;
        }

        return value;
    }
}
