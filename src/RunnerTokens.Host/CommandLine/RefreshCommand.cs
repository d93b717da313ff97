using System.CommandLine;

namespace RunnerTokens.Host.CommandLine;

/// <summary>The <c>runner-token-refresh</c> command line: the seed script's flags verbatim, plus a few in the same style.</summary>
internal static class RefreshCommand
{
    public static RootCommand Create(Func<CommandLineValues, CancellationToken, Task<int>> run)
    {
        var daemon = new Option<bool>("--daemon") { Description = "Run continuously: check every --interval seconds until SIGTERM or SIGINT." };
        var checkAndRefresh = new Option<bool>("--check-and-refresh") { Description = "Check once and refresh where needed, then exit (for cron)." };
        var health = new Option<bool>("--health") { Description = "Read the metrics file and print OK/WARNING/CRITICAL with exit code 0/1/2 (Nagios, Icinga)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Decide and print the plan; change nothing, call no token endpoint." };
        var org = new Option<string>("--org") { Description = "GitHub organisation (RUNNER_ORG; default: from the runner's .runner).", HelpName = "ORG" };
        var runnerDir = new Option<string>("--runner-dir") { Description = "Runner installation folder (RUNNER_DIR, default ./actions-runner).", HelpName = "DIR" };
        var threshold = new Option<string>("--threshold") { Description = "Refresh this many seconds before expiry (REFRESH_THRESHOLD, default 300).", HelpName = "SECONDS" };
        var interval = new Option<string>("--interval") { Description = "Seconds between checks in daemon mode (CHECK_INTERVAL, default 60).", HelpName = "SECONDS" };
        var logFile = new Option<string>("--log-file") { Description = "Also log to this file (LOG_FILE).", HelpName = "FILE" };
        var url = new Option<string>("--url") { Description = "Runner URL: https://github.com/ORG, /OWNER/REPO or /enterprises/ENT (RUNNER_URL; default: from the runner's .runner).", HelpName = "URL" };
        var name = new Option<string>("--name") { Description = "Runner name (RUNNER_NAME; default: the name in the runner's .runner, else the host name cut at the first dot). One that differs from .runner is refused without --rename.", HelpName = "NAME" };
        var rename = new Option<bool>("--rename") { Description = "Let --name/--url/--org differ from the runner's .runner: rename or move the runner on GitHub (it gets a new id)." };
        var metricsFile = new Option<string>("--metrics-file") { Description = "Metrics file (METRICS_FILE, default /var/tmp/runner-token-metrics.json).", HelpName = "FILE" };
        var labels = new Option<string>("--labels") { Description = "Custom labels to register with, comma-separated.", HelpName = "A,B" };
        var policy = new Option<string>("--policy") { Description = "expiry (default: renew before the cached token expires) or registration (renew only an invalid registration).", HelpName = "POLICY" };

        var service = new Option<string>("--service") { Description = "The runner's systemd unit (RUNNER_SERVICE, default: the name in the runner's .service file).", HelpName = "UNIT" };
        var apiUrl = new Option<string>("--api-url") { Description = "GitHub API root (GITHUB_API_URL; default from the runner URL: https://api.github.com, https://HOST/api/v3, https://api.NAME.ghe.com).", HelpName = "URL" };
        var tokenFile = new Option<string>("--token-file") { Description = "File holding a GitHub token (GITHUB_TOKEN_FILE; default $CREDENTIALS_DIRECTORY/github-token). Else GITHUB_TOKEN, GH_TOKEN, then `gh auth token`.", HelpName = "FILE" };
        var appId = new Option<string>("--app-id") { Description = "GitHub App id or client id (GITHUB_APP_ID); with --app-key-file.", HelpName = "ID" };
        var appKeyFile = new Option<string>("--app-key-file") { Description = "GitHub App private key, PEM (GITHUB_APP_PRIVATE_KEY_FILE).", HelpName = "FILE" };
        var installationId = new Option<string>("--installation-id") { Description = "GitHub App installation id (GITHUB_APP_INSTALLATION_ID; default: looked up for the organisation or repository).", HelpName = "ID" };
        var config = new Option<string>("--config") { Description = "JSON file with several runners and any option (see the README).", HelpName = "FILE" };

        var root = new RootCommand("Keeps self-hosted GitHub Actions runners registered: renews a runner's registration before it goes bad, re-registers it with config.sh and restarts its systemd service.")
        {
            daemon, checkAndRefresh, health, dryRun, org, runnerDir, threshold, interval, logFile, url, name, rename, metricsFile, labels, policy, service, apiUrl, tokenFile, appId, appKeyFile, installationId, config,
        };

        root.SetAction((parse, cancellationToken) => run(
            new CommandLineValues
            {
                Daemon = parse.GetValue(daemon),
                CheckAndRefresh = parse.GetValue(checkAndRefresh),
                Health = parse.GetValue(health),
                DryRun = parse.GetValue(dryRun),
                Org = parse.GetValue(org),
                RunnerDir = parse.GetValue(runnerDir),
                Threshold = parse.GetValue(threshold),
                Interval = parse.GetValue(interval),
                LogFile = parse.GetValue(logFile),
                Url = parse.GetValue(url),
                Name = parse.GetValue(name),
                Rename = parse.GetValue(rename),
                MetricsFile = parse.GetValue(metricsFile),
                Labels = parse.GetValue(labels),
                Policy = parse.GetValue(policy),
                Config = parse.GetValue(config),
                Service = parse.GetValue(service),
                ApiUrl = parse.GetValue(apiUrl),
                TokenFile = parse.GetValue(tokenFile),
                AppId = parse.GetValue(appId),
                AppKeyFile = parse.GetValue(appKeyFile),
                InstallationId = parse.GetValue(installationId),
            },
            cancellationToken));
        return root;
    }
}
