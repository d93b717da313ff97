using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace RunnerTokens.Host.CommandLine;

/// <summary>
/// The settings of one run, from flags, then the seed script's environment variables, then defaults. Every bad
/// value is collected as one message naming the flag or variable, its value and what is allowed.
/// </summary>
internal sealed class HostSettings
{
    public const string DefaultLogFile = "/var/log/github-runner-token-refresh.log";

    public HostMode Mode { get; private set; }

    public RunnerTokenRefreshOptions Refresh { get; } = new();

    public string MetricsFile => Refresh.MetricsFile;

    public string? LogFile { get; private set; }

    public List<string> Errors { get; } = [];

    /// <summary>Gets the settings of the systemd reconfigurer that come from variables and flags; applied over the file's.</summary>
    public SystemdSettings Systemd { get; } = new();

    /// <summary>Gets the GitHub settings that come from variables and flags; applied over the file's.</summary>
    public GitHubSettings GitHub { get; } = new();

    /// <summary>Gets the <c>--config</c> file, for the sections of the other packages; null without one.</summary>
    public IConfiguration? Configuration { get; private set; }

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
        Refresh.DryRun = values.DryRun;

        string? Setting(string? flagValue, string variable) =>
            flagValue ?? (environment.TryGetValue(variable, out var value) && !string.IsNullOrEmpty(value) ? value : null);

        if (ConfigFile.Load(values.Config, Errors) is { } configuration)
        {
            Configuration = configuration;
            ConfigFile.Bind(configuration, Refresh, values.Config!, Errors);
            Refresh.DryRun |= values.DryRun;
        }

        Refresh.MetricsFile = Setting(values.MetricsFile, "METRICS_FILE") ?? Refresh.MetricsFile;
        LogFile = Setting(values.LogFile, "LOG_FILE") ?? DefaultLogFile;
        if (Mode == HostMode.Health)
        {
            return;
        }

        Refresh.RefreshThreshold = Seconds(values.Threshold, "--threshold", "REFRESH_THRESHOLD", environment, Refresh.RefreshThreshold, 0, 3599);
        Refresh.CheckInterval = Seconds(values.Interval, "--interval", "CHECK_INTERVAL", environment, Refresh.CheckInterval, 1, 86_400);
        Refresh.MaxRetryAttempts = (int)Number(null, null, "MAX_RETRY_ATTEMPTS", environment, Refresh.MaxRetryAttempts, 1, 100);
        Refresh.RetryBackoff = Seconds(null, null, "RETRY_BACKOFF_SECONDS", environment, Refresh.RetryBackoff, 0, 3600);
        Refresh.StateDirectory = Setting(null, "STATE_DIRECTORY") is { } state
            ? state.Split(':', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() // systemd joins several with ':'
            : Refresh.StateDirectory;

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

        GitHub.ApiUrl = Setting(values.ApiUrl, "GITHUB_API_URL");
        if (GitHub.ApiUrl is { } api && (!Uri.TryCreate(api, UriKind.Absolute, out var apiUri) || (apiUri.Scheme != Uri.UriSchemeHttps && apiUri.Scheme != Uri.UriSchemeHttp)))
        {
            Errors.Add($"{(values.ApiUrl is null ? "GITHUB_API_URL" : "--api-url")} '{api}' is not allowed: it must be an absolute http(s) URL such as https://ghes.example.com/api/v3.");
        }

        GitHub.TokenFile = Setting(values.TokenFile, "GITHUB_TOKEN_FILE");
        GitHub.AppId = Setting(values.AppId, "GITHUB_APP_ID");
        GitHub.AppKeyFile = Setting(values.AppKeyFile, "GITHUB_APP_PRIVATE_KEY_FILE");
        var installation = Number(values.InstallationId, "--installation-id", "GITHUB_APP_INSTALLATION_ID", environment, 0, 1, int.MaxValue);
        GitHub.InstallationId = installation > 0 ? installation : null;

        Systemd.Prefix = Setting(null, "SYSTEMCTL_PREFIX");
        Systemd.SystemctlPath = Setting(null, "SYSTEMCTL_PATH");
        Systemd.UserUnits = Flag("SYSTEMCTL_USER", environment);
        Systemd.AllowRunAsRoot = Flag("RUNNER_ALLOW_RUNASROOT", environment);

        if (Refresh.Runners.Count > 0)
        {
            // The config file lists the runners; the one-runner flags would be ambiguous beside them.
            foreach (var (flag, value) in new[] { ("--org", values.Org), ("--url", values.Url), ("--name", values.Name), ("--runner-dir", values.RunnerDir), ("--labels", values.Labels), ("--service", values.Service), ("--rename", values.Rename ? "true" : null) })
            {
                if (value is not null)
                {
                    Errors.Add($"{flag} '{value}' cannot be combined with the Runners of --config '{values.Config}': set it on the runner in the file.");
                }
            }

            return;
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

        runner.Rename = values.Rename;

        // Name and URL default to the runner's own (.runner); the engine refuses a runner it cannot name or place.
        Refresh.Runners.Add(runner);
        Systemd.Unit = Setting(values.Service, "RUNNER_SERVICE");
        Systemd.RunnerDirectory = Path.GetFullPath(runner.Directory);
    }

    private bool? Flag(string variable, IReadOnlyDictionary<string, string?> environment)
    {
        if (!environment.TryGetValue(variable, out var text) || string.IsNullOrEmpty(text))
        {
            return null;
        }

        switch (text.Trim().ToLowerInvariant())
        {
            case "1" or "true" or "yes":
                return true;
            case "0" or "false" or "no":
                return false;
            default:
                Errors.Add($"{variable} '{text}' is not allowed: use 1 or 0 (true or false).");
                return null;
        }
    }

    private TimeSpan Seconds(string? flagValue, string? flag, string variable, IReadOnlyDictionary<string, string?> environment, TimeSpan fallback, int minimum, int maximum)
    {
        var seconds = Number(flagValue, flag, variable, environment, -1, minimum, maximum);
        return seconds < 0 ? fallback : TimeSpan.FromSeconds(seconds);
    }

    private long Number(string? flagValue, string? flag, string variable, IReadOnlyDictionary<string, string?> environment, long fallback, int minimum, int maximum)
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
