using System.Text;
using static RunnerTokens.Host.Tests.FaultMatrix.BadInput;

namespace RunnerTokens.Host.Tests.FaultMatrix;

/// <summary>
/// The bad-input half of the fault matrix: every setting of <c>HostSettingCatalog</c> with a wrong value, the
/// <c>--config</c> file, the runner's own files and the credential files, each refused at start with exit 2 and one
/// line naming it as typed, before any request for a token and with the runner untouched (<see cref="BadInputMatrixTests"/>).
/// A few inputs look wrong but are legal (a <c>.runner</c> with a BOM): those rows show that they are accepted.
/// </summary>
internal static class BadInputCatalog
{
    public const string RefusedTest = $"{nameof(BadInputMatrixTests)}.{nameof(BadInputMatrixTests.RefusedAtStart)}";
    public const string AcceptedTest = $"{nameof(BadInputMatrixTests)}.{nameof(BadInputMatrixTests.Accepted)}";

    private static readonly string[] _oneShotAndDaemon = [CheckAndRefresh, Daemon];
    private static readonly string[] _everyRefreshMode = [CheckAndRefresh, Daemon, CheckConfig];
    private static readonly string[] _dryRun = [CheckAndRefresh, "--dry-run"];
    private static readonly byte[] _bom = [0xEF, 0xBB, 0xBF];

    /// <summary>Gets every input, refused ones first; <see cref="Rows"/> is made from them.</summary>
    public static IReadOnlyList<BadInput> Inputs { get; } =
    [
        // The runner the flags describe.
        new("runner-dir-missing", "--runner-dir names a folder that does not exist", "exit 2: the flag, the folder, and that it must be the runner's installation folder")
        { Args = ["--runner-dir", "{root}/actions-runer"], Modes = _everyRefreshMode, Shows = ["--runner-dir '{root}/actions-runer' does not exist", "installation folder"] },
        new("runner-dir-variable-missing", "RUNNER_DIR names a folder that does not exist", "exit 2: the variable, the folder, and what it must be")
        { Environment = Vars("RUNNER_DIR", "{root}/nope"), Shows = ["RUNNER_DIR '{root}/nope' does not exist", "installation folder"] },
        new("runner-dir-not-a-runner", "--runner-dir names a folder with neither .runner nor config.sh", "exit 2: the flag, the folder, and that it holds no runner")
        { Args = ["--runner-dir", "{root}/bin"], Modes = _everyRefreshMode, Shows = ["--runner-dir '{root}/bin' is not a runner folder: it has no .runner and no config.sh"] },
        new("name-dot-dot", "--name ..", "exit 2: names the flag and the value; '.' and '..' are not names")
        { Args = ["--name", ".."], Modes = _everyRefreshMode, Shows = ["--name '..' is not allowed", "not '.' or '..'"] },
        new("name-slash", "RUNNER_NAME with a '/'", "exit 2: names the variable and the value; no '/' or '\\' in a name")
        { Environment = Vars("RUNNER_NAME", "runner-1/../x"), Modes = _oneShotAndDaemon, Shows = ["RUNNER_NAME 'runner-1/../x' is not allowed", "no '/'"] },
        new("name-newline", "--name with a newline", "exit 2: the name shown on one line (\\n), no control characters allowed")
        { Args = ["--name", "runner-1\nINFO forged line"], Shows = ["--name 'runner-1\\nINFO forged line' is not allowed", "no control characters"] },
        new("name-control-character", "RUNNER_NAME with an escape character", "exit 2: the name shown escaped (\\u001B), no control characters allowed")
        { Environment = Vars("RUNNER_NAME", "runner-\u001b[31m1"), Shows = ["RUNNER_NAME 'runner-\\u001B[31m1' is not allowed", "no control characters"] },
        new("name-differs-from-runner-file", "--name that differs from .runner's agentName", "exit 2: both names and the file; --rename to rename")
        { Args = ["--name", "runner-2"], Modes = _everyRefreshMode, Shows = ["--name 'runner-2' is not allowed", "registered as 'runner-1'", "{runner}/.runner", "--rename"] },
        new("org-with-slash", "RUNNER_ORG with a '/'", "exit 2: names the variable and the value; set the URL for a repository")
        { Environment = Vars("RUNNER_ORG", "my-org/widgets"), Shows = ["RUNNER_ORG 'my-org/widgets' is not allowed", "no '/'"] },
        new("org-differs-from-runner-file", "--org that differs from .runner's gitHubUrl", "exit 2: both URLs and the file; --rename to move")
        { Args = ["--org", "other-org"], Modes = _everyRefreshMode, Shows = ["--org gives the URL 'https://github.com/other-org', which is not allowed", "registered at 'https://github.com/my-org'"] },
        new("url-not-a-url", "RUNNER_URL that is not a URL", "exit 2: names the variable and the value; an absolute http(s) URL of a scope")
        { Environment = Vars("RUNNER_URL", "github.com/my-org"), Shows = ["RUNNER_URL 'github.com/my-org' is not allowed", "absolute http(s) URL"] },
        new("url-without-scope", "--url with no organisation, repository or enterprise", "exit 2: names the flag and the value; /ORG, /OWNER/REPO or /enterprises/ENT")
        { Args = ["--url", "https://github.com/"], Modes = _everyRefreshMode, Shows = ["--url 'https://github.com/' is not allowed", "/ORG, /OWNER/REPO or /enterprises/ENTERPRISE"] },
        new("rename-with-a-value", "--rename=maybe", "exit 2: the flag and the value it cannot take, no help dump")
        { Args = ["--rename=maybe"], Shows = ["--rename 'maybe' is not allowed", "--rename=true or --rename=false"] },
        new("labels-control-character", "RUNNER_LABELS with a tab in a label", "exit 2: names the variable and the label; no control characters")
        { Environment = Vars("RUNNER_LABELS", "gpu,large\tdisk"), Shows = ["RUNNER_LABELS has the label 'large\\tdisk', which is not allowed", "no control characters"] },
        new("labels-comma-in-config", "a --config runner's label with a comma", "exit 2: the file's key and the label; config.sh would split it in two")
        {
            Args = ["--config", "{root}/runners.json"],
            Arrange = e2e => WriteConfig(e2e, $$"""{"Runners":[{"Directory":"{{e2e.Machine.Runner.Path}}","Labels":["gpu,large"]}]}"""),
            Shows = ["Runners[0].Labels has the label 'gpu,large', which is not allowed", "splits at commas"],
        },
        new("runner-group-newline", "--runner-group with a newline", "exit 2: names the flag and the group; no control characters")
        { Args = ["--runner-group", "Default\nx"], Modes = _everyRefreshMode, Shows = ["--runner-group 'Default\\nx' is not allowed", "control characters"] },
        new("no-default-labels-not-a-switch", "RUNNER_NO_DEFAULT_LABELS=maybe", "exit 2: names the variable and the value; 1 or 0")
        { Environment = Vars("RUNNER_NO_DEFAULT_LABELS", "maybe"), Shows = ["RUNNER_NO_DEFAULT_LABELS 'maybe' is not allowed", "use 1 or 0"] },
        new("disable-update-not-a-switch", "RUNNER_DISABLE_UPDATE=2", "exit 2: names the variable and the value; 1 or 0")
        { Environment = Vars("RUNNER_DISABLE_UPDATE", "2"), Shows = ["RUNNER_DISABLE_UPDATE '2' is not allowed", "use 1 or 0"] },
        new("ephemeral-not-a-switch", "RUNNER_EPHEMERAL=sometimes", "exit 2: names the variable and the value; 1 or 0")
        { Environment = Vars("RUNNER_EPHEMERAL", "sometimes"), Shows = ["RUNNER_EPHEMERAL 'sometimes' is not allowed", "use 1 or 0"] },
        new("service-not-a-service-unit", "--service naming a unit that is not a .service", "exit 2: names the flag and the unit; a .service unit")
        { Args = ["--service", "sshd"], Modes = _everyRefreshMode, Shows = ["--service 'sshd' is not allowed", "ends in .service"] },
        new("service-with-space", "RUNNER_SERVICE with a space", "exit 2 before any token: names the variable and the unit")
        { Environment = Vars("RUNNER_SERVICE", "actions.runner.my-org.runner-1.service sshd.service"), Modes = _everyRefreshMode, Shows = ["RUNNER_SERVICE 'actions.runner.my-org.runner-1.service sshd.service' is not allowed", "no spaces"] },
        new("service-option", "--service=--host=x.service", "exit 2 before any token: a unit name does not start with '-'")
        { Args = ["--service=--host=x.service"], Shows = ["--service '--host=x.service' is not allowed", "does not start with '-'"] },

        // When and how.
        new("policy-unknown", "REFRESH_POLICY=sometimes", "exit 2: names the variable and the value; expiry or registration")
        { Environment = Vars("REFRESH_POLICY", "sometimes"), Modes = _oneShotAndDaemon, Shows = ["REFRESH_POLICY 'sometimes' is not allowed", "use expiry or registration"] },
        new("threshold-negative", "--threshold -5", "exit 2: names the flag and the value; 0 to 3599 seconds")
        { Args = ["--threshold", "-5"], Modes = _oneShotAndDaemon, Shows = ["--threshold '-5' is not allowed", "from 0 to 3599 (seconds)"] },
        new("threshold-an-hour", "REFRESH_THRESHOLD=3600 (the token's whole life)", "exit 2: names the variable and the value; 0 to 3599 seconds")
        { Environment = Vars("REFRESH_THRESHOLD", "3600"), Shows = ["REFRESH_THRESHOLD '3600' is not allowed", "from 0 to 3599"] },
        new("interval-zero", "CHECK_INTERVAL=0", "exit 2: names the variable and the value; 1 to 86400 seconds")
        { Environment = Vars("CHECK_INTERVAL", "0"), Modes = [Daemon], Shows = ["CHECK_INTERVAL '0' is not allowed", "from 1 to 86400 (seconds)"] },
        new("interval-not-a-number", "--interval 1m", "exit 2: names the flag and the value; a whole number of seconds")
        { Args = ["--interval", "1m"], Modes = [Daemon], Shows = ["--interval '1m' is not allowed", "whole number from 1 to 86400"] },
        new("max-retry-attempts-zero", "MAX_RETRY_ATTEMPTS=0", "exit 2: names the variable and the value; 1 to 100")
        { Environment = Vars("MAX_RETRY_ATTEMPTS", "0"), Shows = ["MAX_RETRY_ATTEMPTS '0' is not allowed", "from 1 to 100"] },
        new("max-retry-attempts-not-a-number", "MAX_RETRY_ATTEMPTS=three", "exit 2: names the variable and the value; 1 to 100")
        { Environment = Vars("MAX_RETRY_ATTEMPTS", "three"), Modes = _oneShotAndDaemon, Shows = ["MAX_RETRY_ATTEMPTS 'three' is not allowed", "from 1 to 100"] },
        new("retry-backoff-negative", "RETRY_BACKOFF_SECONDS=-1", "exit 2: names the variable and the value; 0 to 3600 seconds")
        { Environment = Vars("RETRY_BACKOFF_SECONDS", "-1"), Shows = ["RETRY_BACKOFF_SECONDS '-1' is not allowed", "from 0 to 3600 (seconds)"] },
        new("dry-run-with-a-value", "--dry-run=perhaps", "exit 2: the flag and the value it cannot take, no help dump")
        { Args = ["--dry-run=perhaps"], Shows = ["--dry-run 'perhaps' is not allowed", "--dry-run=true or --dry-run=false"] },

        // Where results go.
        new("metrics-file-empty-for-health", "--health with an empty --metrics-file", "exit 2 and CRITICAL: names the flag; --health needs the file")
        { Args = ["--metrics-file", ""], Modes = [Health], Shows = ["--metrics-file '' is not allowed", "--health needs the metrics file"] },
        new("prometheus-file-not-prom", "--prometheus-file whose name does not end in .prom", "exit 2: names the flag and the value; node_exporter's textfile collector reads only .prom files")
        { Args = ["--prometheus-file", "{root}/runners.txt"], Modes = _oneShotAndDaemon, Shows = ["--prometheus-file '{root}/runners.txt' is not allowed", "reads only files whose name ends in .prom"] },
        new("state-directory-relative", "STATE_DIRECTORY that is a relative path", "exit 2: names the variable and the value; an absolute folder")
        { Environment = Vars("STATE_DIRECTORY", "var/lib/runner-token-refresh"), Modes = _everyRefreshMode, Shows = ["STATE_DIRECTORY 'var/lib/runner-token-refresh' is not allowed", "absolute"] },
        new("log-level-unknown", "LOG_LEVEL=verbose", "exit 2: names the variable and the value; the six levels")
        { Environment = Vars("LOG_LEVEL", "verbose"), Modes = [CheckAndRefresh, Health], Shows = ["LOG_LEVEL 'verbose' is not allowed", "trace, debug, information, warning, error or critical"] },
        new("max-age-too-short", "--max-age 10", "exit 2 and CRITICAL: names the flag and the value; 30 to 604800 seconds")
        { Args = ["--max-age", "10"], Modes = [Health], Shows = ["--max-age '10' is not allowed", "from 30 to 604800 (seconds)"] },
        new("max-age-not-a-number", "HEALTH_MAX_AGE=5min", "exit 2 and CRITICAL: names the variable and the value; whole seconds")
        { Environment = Vars("HEALTH_MAX_AGE", "5min"), Modes = [Health], Shows = ["HEALTH_MAX_AGE '5min' is not allowed", "whole number from 30 to 604800"] },

        // The --config file.
        new("config-missing", "--config naming a file that does not exist", "exit 2: names the flag and the file")
        { Args = ["--config", "{root}/runners.jsn"], Modes = [CheckAndRefresh, Daemon, Health, CheckConfig], Shows = ["--config '{root}/runners.jsn' does not exist"] },
        new("config-not-json", "--config file that is not JSON", "exit 2: names the file and where the JSON breaks")
        { Args = ["--config", "{root}/runners.json"], Arrange = e2e => WriteConfig(e2e, "RefreshThreshold: 300\n"), Modes = [CheckAndRefresh, Daemon, Health, CheckConfig], Shows = ["--config '{root}/runners.json' is not valid JSON"] },
        new("config-unknown-key", "--config runner with a misspelt key (Lables)", "exit 2: names the file, the key and where it is")
        {
            Args = ["--config", "{root}/runners.json"],
            Arrange = e2e => WriteConfig(e2e, $$"""{"Runners":[{"Directory":"{{e2e.Machine.Runner.Path}}","Lables":["gpu"]}]}"""),
            Modes = _oneShotAndDaemon,
            Shows = ["--config '{root}/runners.json'", "unknown key 'Lables' in a runner (Runners)"],
        },
        new("config-wrong-type", "--config MaxRetryAttempts given as text", "exit 2: names the file, the key and the value")
        { Args = ["--config", "{root}/runners.json"], Arrange = e2e => WriteConfig(e2e, """{"MaxRetryAttempts":"three"}"""), Shows = ["--config '{root}/runners.json'", "MaxRetryAttempts", "three"] },
        new("config-bad-refresh-time", "--config RefreshThreshold of two hours", "exit 2: names the key, the value and the range")
        { Args = ["--config", "{root}/runners.json"], Arrange = e2e => WriteConfig(e2e, """{"RefreshThreshold":"02:00:00"}"""), Modes = _oneShotAndDaemon, Shows = ["RefreshThreshold", "02:00:00", "is not allowed"] },
        new("config-bad-systemd-timeout", "--config Systemd:StopTimeout of 0", "exit 2 before any request to GitHub: names the key, the value and the range")
        { Args = ["--config", "{root}/runners.json"], Arrange = e2e => WriteConfig(e2e, """{"Systemd":{"StopTimeout":"00:00:00"}}"""), Modes = _everyRefreshMode, Shows = ["Systemd:StopTimeout = 00:00:00 (0 s) is not allowed", "from 00:00:01"] },
        new("config-bad-github-and-systemd", "--config with a bad GitHub and a bad Systemd time limit", "exit 2: one line for each, no stack trace")
        {
            Args = ["--config", "{root}/runners.json"],
            Arrange = e2e => WriteConfig(e2e, """{"GitHub":{"RequestTimeout":"00:00:00"},"Systemd":{"ListenTimeout":"02:00:00"}}"""),
            Modes = _everyRefreshMode,
            Shows = ["GitHub:RequestTimeout = 00:00:00 (0 s) is not allowed"],
        },
        new("config-runners-and-runner-flag", "--config with Runners and a --name flag", "exit 2: the flag cannot be combined with the file's runners")
        {
            Args = ["--config", "{root}/runners.json", "--name", "runner-1"],
            Arrange = e2e => WriteConfig(e2e, $$"""{"Runners":[{"Directory":"{{e2e.Machine.Runner.Path}}"}]}"""),
            Shows = ["--name 'runner-1' cannot be combined with the Runners of --config"],
        },

        // GitHub.
        new("api-url-not-http", "--api-url ftp://ghes.example.com/api/v3", "exit 2: names the flag and the value; an absolute http(s) URL")
        { Args = ["--api-url", "ftp://ghes.example.com/api/v3"], Modes = _everyRefreshMode, Shows = ["--api-url 'ftp://ghes.example.com/api/v3' is not allowed", "absolute http(s) URL"] },
        new("api-url-variable-not-a-url", "GITHUB_API_URL=api.github.com", "exit 2: names the variable and the value; an absolute http(s) URL")
        { Environment = Vars("GITHUB_API_URL", "api.github.com"), Shows = ["GITHUB_API_URL 'api.github.com' is not allowed", "absolute http(s) URL"] },
        new("token-file-missing", "GITHUB_TOKEN_FILE names a file that does not exist", "exit 2 before any request: the variable, the path, 'does not exist'")
        { Environment = Vars("GITHUB_TOKEN_FILE", "{root}/github-tokn"), Modes = _everyRefreshMode, Shows = ["GITHUB_TOKEN_FILE '{root}/github-tokn' cannot be used: it does not exist"] },
        new("token-file-unreadable", "--token-file names a folder", "exit 2 before any request: the flag, the path, not a regular file")
        { Args = ["--token-file", "{root}/bin"], Shows = ["--token-file '{root}/bin' cannot be used: it is not a regular file"] },
        new("token-file-empty", "GITHUB_TOKEN_FILE names an empty file", "exit 2 before any request: the variable, the path, 'is empty'")
        { Environment = Vars("GITHUB_TOKEN_FILE", "{root}/github-token"), Arrange = e2e => WriteSecret(e2e, "github-token", "\n"), Modes = _everyRefreshMode, Shows = ["GITHUB_TOKEN_FILE '{root}/github-token' cannot be used: it is empty"] },
        new("app-id-not-a-number", "GITHUB_APP_ID=my-app (neither an id nor a client id)", "exit 2: names the variable and the value; a number or a client id (Iv…)")
        { Environment = Vars("GITHUB_APP_ID", "my-app", "GITHUB_APP_PRIVATE_KEY_FILE", "{root}/app.pem"), Arrange = WriteAppKey, Modes = _everyRefreshMode, Shows = ["GITHUB_APP_ID 'my-app' is not allowed", "client id"] },
        new("app-id-zero", "--app-id 0", "exit 2: names the flag and the value; a positive id")
        { Args = ["--app-id", "0", "--app-key-file", "{root}/app.pem"], Arrange = WriteAppKey, Shows = ["--app-id 0 is not allowed", "positive"] },
        new("app-key-file-missing", "GITHUB_APP_PRIVATE_KEY_FILE names a file that does not exist", "exit 2 before any request: the variable, the path, 'does not exist'")
        { Environment = Vars("GITHUB_APP_ID", "123456", "GITHUB_APP_PRIVATE_KEY_FILE", "{root}/app.pem"), Modes = _everyRefreshMode, Shows = ["GITHUB_APP_PRIVATE_KEY_FILE '{root}/app.pem' cannot be used: it does not exist"] },
        new("app-key-file-unreadable", "--app-key-file names a folder", "exit 2 before any request: the flag, the path, not a regular file")
        { Args = ["--app-id", "123456", "--app-key-file", "{root}/bin"], Modes = _everyRefreshMode, Shows = ["--app-key-file '{root}/bin' cannot be used: it is not a regular file"] },
        new("app-key-file-not-pem", "GITHUB_APP_PRIVATE_KEY_FILE holds no PEM key", "exit 2 before any request: the variable, the path, no RSA key in PEM form")
        {
            Environment = Vars("GITHUB_APP_ID", "Iv23liAbCdEf", "GITHUB_APP_PRIVATE_KEY_FILE", "{root}/app.pem"),
            Arrange = e2e => WriteSecret(e2e, "app.pem", "ghp_thisIsATokenNotAKey0123456789\n"),
            Modes = _everyRefreshMode,
            Shows = ["GITHUB_APP_PRIVATE_KEY_FILE '{root}/app.pem' cannot be used: it holds no RSA private key in PEM form"],
        },
        new("app-key-file-without-app-id", "--app-key-file without --app-id", "exit 2: the App needs its id or client id")
        { Args = ["--app-key-file", "{root}/app.pem"], Arrange = WriteAppKey, Shows = ["--app-id (GITHUB_APP_ID) and GitHub:ClientId are not set"] },
        new("installation-id-not-a-number", "GITHUB_APP_INSTALLATION_ID=abc", "exit 2: names the variable and the value; a whole number")
        { Environment = Vars("GITHUB_APP_INSTALLATION_ID", "abc"), Shows = ["GITHUB_APP_INSTALLATION_ID 'abc' is not allowed", "whole number from 1"] },
        new("installation-id-zero", "--installation-id 0", "exit 2: names the flag and the value; a whole number from 1")
        { Args = ["--installation-id", "0"], Shows = ["--installation-id '0' is not allowed", "whole number from 1"] },

        // systemd.
        new("systemctl-prefix-quoted", "SYSTEMCTL_PREFIX with quotes in it (\"sudo -n\")", "exit 2 before any token: names the variable and the value; no quotes or shell characters")
        { Environment = Vars("SYSTEMCTL_PREFIX", "\"sudo -n\""), Modes = _everyRefreshMode, Shows = ["SYSTEMCTL_PREFIX '\"sudo -n\"' is not allowed", "without a shell"] },
        new("systemctl-path-blank", "SYSTEMCTL_PATH of spaces", "exit 2 before any token: names the variable; a program name or absolute path")
        { Environment = Vars("SYSTEMCTL_PATH", "   "), Modes = _everyRefreshMode, Shows = ["SYSTEMCTL_PATH", "is not allowed", "absolute path"] },
        new("systemctl-user-not-a-switch", "SYSTEMCTL_USER=maybe", "exit 2: names the variable and the value; 1 or 0")
        { Environment = Vars("SYSTEMCTL_USER", "maybe"), Shows = ["SYSTEMCTL_USER 'maybe' is not allowed", "use 1 or 0"] },
        new("allow-runasroot-not-a-switch", "RUNNER_ALLOW_RUNASROOT=root", "exit 2: names the variable and the value; 1 or 0")
        { Environment = Vars("RUNNER_ALLOW_RUNASROOT", "root"), Shows = ["RUNNER_ALLOW_RUNASROOT 'root' is not allowed", "use 1 or 0"] },

        // The runner's own files, with nothing else that knows the runner (no record, no --org).
        new("runner-file-not-json", ".runner that is not JSON, and no record or --org to register from", "exit 2: names .runner and the JSON error; no token, nothing touched")
        { Arrange = e2e => WriteRunnerFile(e2e, ".runner", "agentName=runner-1\n"), Modes = _everyRefreshMode, Shows = ["{runner}/.runner is corrupt"] },
        new("runner-file-empty", ".runner that is empty, and no record or --org", "exit 2: names .runner and that it is corrupt")
        { Arrange = e2e => WriteRunnerFile(e2e, ".runner", string.Empty), Shows = ["{runner}/.runner is corrupt"] },
        new("runner-file-without-agent-name", ".runner without agentName, and no record or --org", "exit 2: names .runner and the missing agentName")
        { Arrange = e2e => WriteRunnerFile(e2e, ".runner", "\uFEFF{\"agentId\":42,\"gitHubUrl\":\"https://github.com/my-org\"}"), Modes = _everyRefreshMode, Shows = ["{runner}/.runner is corrupt: 'agentName' is missing or empty"] },
        new("service-file-names-sshd", ".service naming sshd.service", "exit 1 one-shot (that runner fails), 2 daemon and --check-config; names .service, the unit and the pattern; no token")
        { OneShotExitCode = 1, Arrange = e2e => WriteRunnerFile(e2e, ".service", "sshd.service\n"), Modes = _everyRefreshMode, Shows = ["{runner}/.service names the unit 'sshd.service', which is not allowed", "actions.runner.*.service"] },
        new("service-file-with-spaces", ".service naming two units", "exit 1 (the runner's refresh fails) before any token: names .service and the unit")
        { OneShotExitCode = 1, Arrange = e2e => WriteRunnerFile(e2e, ".service", "actions.runner.my-org.runner-1.service sshd.service\n"), Shows = ["{runner}/.service names the unit 'actions.runner.my-org.runner-1.service sshd.service', which is not allowed"] },
        new("service-file-option", ".service holding --host=x", "exit 1 (the runner's refresh fails) before any token: names .service and the unit")
        { OneShotExitCode = 1, Arrange = e2e => WriteRunnerFile(e2e, ".service", "--host=x\n"), Shows = ["{runner}/.service names the unit '--host=x', which is not allowed"] },

        // Legal though they may look wrong: accepted.
        new("runner-file-with-bom", ".runner with a UTF-8 BOM, as the runner writes it", "accepted: the dry run plans the refresh of 'runner-1', exit 0")
        { Args = _dryRun[1..], ExitCode = 0, Arrange = WriteRunnerFileWithBom, Shows = ["config.sh --unattended --url https://github.com/my-org --name runner-1 --replace"], Hides = ["registration corrupt", "registration missing"] },
        new("log-file-unwritable", "LOG_FILE naming a folder", "not refused: one line names the file, the run logs to the console only")
        { Args = _dryRun[1..], ExitCode = 0, Environment = Vars("LOG_FILE", "{root}/bin"), Shows = ["cannot write the log file '{root}/bin'", "console only"] },
        new("runner-file-without-server-url", ".runner without serverUrl", "not refused: a broken registration, repaired by a refresh; the dry run names the file and the key")
        {
            Args = _dryRun[1..],
            ExitCode = 0,
            Arrange = e2e => WriteRunnerFile(e2e, ".runner", "\uFEFF{\"agentId\":42,\"agentName\":\"runner-1\",\"gitHubUrl\":\"https://github.com/my-org\",\"workFolder\":\"_work\"}"),
            Shows = ["registration corrupt: {runner}/.runner: 'serverUrl' is missing or empty", "action=refresh (dry run)"],
        },
        new("app-key-file-readable-by-others", "GITHUB_APP_PRIVATE_KEY_FILE readable by other users (mode 644)", "not refused: one warning names the file and its mode, and says chmod 600")
        {
            Args = _dryRun[1..],
            ExitCode = 0,
            Environment = Vars("GITHUB_APP_ID", "123456", "GITHUB_APP_PRIVATE_KEY_FILE", "{root}/app.pem"),
            Arrange = e2e =>
            {
                WriteAppKey(e2e);
                File.SetUnixFileMode(Path.Combine(e2e.Machine.RootPath, "app.pem"), (UnixFileMode)0b110_100_100);
            },
            Shows = ["{root}/app.pem is readable by other users (mode 644)", "chmod 600"],
        },
        new("credentials-file-corrupt", ".credentials that is not JSON", "not refused: a broken registration, repaired by a refresh; the dry run names the file")
        { Args = _dryRun[1..], ExitCode = 0, Arrange = e2e => WriteRunnerFile(e2e, ".credentials", "{\"scheme\":"), Shows = ["registration corrupt: {runner}/.credentials", "action=refresh (dry run)"] },
    ];

    /// <summary>Gets the rows of the README's fault matrix, one per input.</summary>
    internal static IReadOnlyList<MatrixRow> Rows { get; } =
        [.. Inputs.Select(i => new MatrixRow(MatrixKind.BadInput, i.Id, i.What, i.Expected, i.ExitCode == 2 ? RefusedTest : AcceptedTest))];

    public static BadInput Find(string id) => Inputs.Single(i => i.Id == id);

    private static Dictionary<string, string?> Vars(params string[] pairs)
    {
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < pairs.Length; i += 2)
        {
            variables[pairs[i]] = pairs[i + 1];
        }

        return variables;
    }

    private static void WriteConfig(EndToEnd e2e, string json) =>
        File.WriteAllText(Path.Combine(e2e.Machine.RootPath, "runners.json"), json);

    private static void WriteSecret(EndToEnd e2e, string name, string text)
    {
        var path = Path.Combine(e2e.Machine.RootPath, name);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>A real App key, so that only the input under test is wrong.</summary>
    private static void WriteAppKey(EndToEnd e2e)
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        WriteSecret(e2e, "app.pem", rsa.ExportRSAPrivateKeyPem());
    }

    /// <summary>The runner's own <c>.runner</c>, with a BOM for certain (whatever the fake writes).</summary>
    private static void WriteRunnerFileWithBom(EndToEnd e2e)
    {
        var path = e2e.Machine.Runner.File(".runner");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, [.. _bom, .. bytes.AsSpan().StartsWith(_bom) ? bytes[3..] : bytes]);
    }

    private static void WriteRunnerFile(EndToEnd e2e, string name, string text) =>
        File.WriteAllText(e2e.Machine.Runner.File(name), text, new UTF8Encoding(false));
}
