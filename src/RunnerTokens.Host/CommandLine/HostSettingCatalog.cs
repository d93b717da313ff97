namespace RunnerTokens.Host.CommandLine;

/// <summary>
/// Every setting of the command, once: its flag, its variable, its configuration key and its help. The command line,
/// the environment mapping, the error messages and <c>--help</c> are all made from this list.
/// </summary>
internal static class HostSettingCatalog
{
    public const string ServiceKey = "Host:Service";
    public const string AppIdKey = "GitHub:AppId";
    public const string StateDirectoryKey = "StateDirectory";
    public const string MetricsFileKey = "MetricsFile";
    public const string PrometheusFileKey = "PrometheusFile";

    /// <summary>The metrics file's name in the state folder, its default when one is set: a folder only this user writes.</summary>
    public const string StateMetricsFileName = "metrics.json";
    public const string LogFileKey = "Host:LogFile";
    public const string LogLevelKey = "Host:LogLevel";
    public const string MaxAgeKey = "Host:MaxAge";
    public const string DryRunKey = "DryRun";

    public const int DefaultMaxAgeSeconds = RefreshHealth.StaleCheckSeconds;

    public static IReadOnlyList<string> LogLevels { get; } = ["trace", "debug", "information", "warning", "error", "critical"];

    public static IReadOnlyList<HostSetting> All { get; } =
    [
        // The runner the flags describe.
        Runner("Directory", "--runner-dir", "RUNNER_DIR", HostSettingKind.Text, "Runner installation folder, where config.sh is (default ./actions-runner).", "DIR"),
        Runner("Name", "--name", "RUNNER_NAME", HostSettingKind.Text, "Runner name (default: .runner's, else the host name cut at the first dot). One that differs from .runner is refused without --rename.", "NAME"),
        Runner("Organization", "--org", "RUNNER_ORG", HostSettingKind.Text, "GitHub organisation (default: from the runner's .runner); for a runner not registered yet.", "ORG"),
        Runner("Url", "--url", "RUNNER_URL", HostSettingKind.Text, "Runner URL: https://github.com/ORG, /OWNER/REPO or /enterprises/ENT (default: from .runner).", "URL"),
        Runner("Rename", "--rename", null, HostSettingKind.Switch, "Let --name/--url/--org differ from .runner: rename or move the runner on GitHub (it gets a new id)."),
        Runner("Labels", "--labels", "RUNNER_LABELS", HostSettingKind.List, "Custom labels, comma-separated (default: the runner's own, kept).", "A,B"),
        Runner("RunnerGroup", "--runner-group", "RUNNER_GROUP", HostSettingKind.Text, "Runner group (default: the runner's own, kept).", "GROUP"),
        Runner("NoDefaultLabels", "--no-default-labels", "RUNNER_NO_DEFAULT_LABELS", HostSettingKind.Switch, "Register without self-hosted/OS/architecture labels (default: as registered)."),
        Runner("DisableUpdate", "--disable-update", "RUNNER_DISABLE_UPDATE", HostSettingKind.Switch, "Register with automatic runner updates off (default: as registered)."),
        Runner("Ephemeral", "--ephemeral", "RUNNER_EPHEMERAL", HostSettingKind.Switch, "Register as ephemeral: one job, then removed (default: as registered)."),
        new(ServiceKey, "--service", "RUNNER_SERVICE", HostSettingKind.Text, "The runner's systemd unit (default: the name in the runner's .service file).") { HelpName = "UNIT", PerRunner = true },

        // When and how.
        new("Policy", "--policy", "REFRESH_POLICY", HostSettingKind.Choice, "expiry: renew before the cached token expires (default); registration: renew only a registration GitHub no longer has.") { HelpName = "expiry|registration", Choices = ["expiry", "registration"] },
        new("RefreshThreshold", "--threshold", "REFRESH_THRESHOLD", HostSettingKind.Seconds, "Refresh this many seconds before expiry, 0-3599 (default 300).") { HelpName = "SECONDS", Maximum = 3599 },
        new("CheckInterval", "--interval", "CHECK_INTERVAL", HostSettingKind.Seconds, "Seconds between checks in daemon mode, 1-86400 (default 60).") { HelpName = "SECONDS", Minimum = 1, Maximum = 86_400 },
        new("MaxRetryAttempts", null, "MAX_RETRY_ATTEMPTS", HostSettingKind.Number, "Attempts per refresh, 1-100 (default 3).") { Minimum = 1, Maximum = 100 },
        new("RetryBackoff", null, "RETRY_BACKOFF_SECONDS", HostSettingKind.Seconds, "Seconds before the first retry, doubling, 0-3600 (default 30).") { Maximum = 3600 },
        new(DryRunKey, "--dry-run", null, HostSettingKind.Switch, "Decide and print the plan; change nothing, fetch no token."),

        // Where results go.
        new(MetricsFileKey, "--metrics-file", "METRICS_FILE", HostSettingKind.Text, "Metrics file (default metrics.json in STATE_DIRECTORY when set, else /var/tmp/runner-token-metrics.json).") { HelpName = "FILE" },
        new(PrometheusFileKey, "--prometheus-file", "PROMETHEUS_FILE", HostSettingKind.Text, "Also write every runner's metrics to this file, Prometheus text format, name ending in .prom, for node_exporter's textfile collector (default none).") { HelpName = "FILE" },
        new(StateDirectoryKey, null, "STATE_DIRECTORY", HostSettingKind.Text, "State folder (set by the unit's StateDirectory=; default .token-refresh in the runner folder)."),
        new(LogFileKey, "--log-file", "LOG_FILE", HostSettingKind.Text, "Also log to this file, rotated (default: none under systemd's journal, else /var/log/runner-token-refresh/refresh.log).") { HelpName = "FILE" },
        new(LogLevelKey, "--log-level", "LOG_LEVEL", HostSettingKind.Choice, "Least level logged (default information).") { HelpName = "LEVEL", Choices = LogLevels },
        new(MaxAgeKey, "--max-age", "HEALTH_MAX_AGE", HostSettingKind.Seconds, "--health: a last check older than this is a warning, 30-604800 (default 300).") { HelpName = "SECONDS", Minimum = 30, Maximum = 604_800 },

        // GitHub. Tokens never come from a flag: GITHUB_TOKEN and GH_TOKEN are read by the GitHub package itself.
        new("GitHub:ApiUrl", "--api-url", "GITHUB_API_URL", HostSettingKind.HttpUrl, "GitHub API root (default from the runner URL: https://api.github.com, https://HOST/api/v3).") { HelpName = "URL" },
        new("GitHub:TokenFile", "--token-file", "GITHUB_TOKEN_FILE", HostSettingKind.Text, "File holding a GitHub token (default $CREDENTIALS_DIRECTORY/github-token); else GITHUB_TOKEN, GH_TOKEN, then `gh auth token`.") { HelpName = "FILE" },
        new(AppIdKey, "--app-id", "GITHUB_APP_ID", HostSettingKind.Text, "GitHub App id or client id (Iv…); with --app-key-file.") { HelpName = "ID" },
        new("GitHub:PrivateKeyFile", "--app-key-file", "GITHUB_APP_PRIVATE_KEY_FILE", HostSettingKind.Text, "GitHub App private key, PEM.") { HelpName = "FILE" },
        new("GitHub:InstallationId", "--installation-id", "GITHUB_APP_INSTALLATION_ID", HostSettingKind.Number, "GitHub App installation id (default: looked up for the organisation or repository).") { HelpName = "ID", Minimum = 1 },

        // systemd.
        new("Systemd:SystemctlPrefix", null, "SYSTEMCTL_PREFIX", HostSettingKind.Text, "Put before systemctl stop/start, such as \"sudo -n\" (default none: root, or the polkit rule)."),
        new("Systemd:SystemctlPath", null, "SYSTEMCTL_PATH", HostSettingKind.Text, "The systemctl program (default systemctl on PATH)."),
        new("Systemd:UserUnits", null, "SYSTEMCTL_USER", HostSettingKind.Switch, "1: the runner is a user unit (systemctl --user)."),
        new("Systemd:AllowRunAsRoot", null, "RUNNER_ALLOW_RUNASROOT", HostSettingKind.Switch, "1: allow config.sh to run as root, as the runner's own variable."),
    ];

    public static HostSetting? FindByKey(string key) => All.FirstOrDefault(s => s.Key == key);

    private static HostSetting Runner(string property, string flag, string? variable, HostSettingKind kind, string description, string? helpName = null) =>
        new(HostSettings.RunnerPrefix + property, flag, variable, kind, description) { HelpName = helpName, PerRunner = true };
}
