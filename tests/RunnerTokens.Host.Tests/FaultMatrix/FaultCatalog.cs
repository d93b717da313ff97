namespace RunnerTokens.Host.Tests.FaultMatrix;

/// <summary>
/// The faults the matrix tries: something outside breaks while a one-shot run (<c>--check-and-refresh</c>, as a timer
/// or cron runs it) refreshes a registered runner. Each row is a case of the test it names.
/// </summary>
internal static class FaultCatalog
{
    private const string GitHub = "FaultMatrixGitHubTests.Faults";
    private const string ConfigSh = "FaultMatrixConfigShTests.Faults";
    private const string Systemctl = "FaultMatrixSystemctlTests.Faults";
    private const string Sigterm = "FaultMatrixSignalTests.Sigterm";
    private const string Sigkill = "FaultMatrixSignalTests.Sigkill";
    private const string Disk = "FaultMatrixDiskTests.Faults";
    private const string Race = "FaultMatrixRaceTests.Faults";

    internal static IReadOnlyList<MatrixRow> Rows { get; } =
    [
        // GitHub's API, at the registration-token call unless said otherwise.
        Row("api-502-then-ok", "GitHub answers 502 once, then 201", "retried; refreshed; exit 0", GitHub),
        Row("api-5xx-always", "GitHub answers 503 to every token request", "runner untouched; failure counted; exit 1; says 503", GitHub),
        Row("api-401", "GitHub answers 401 Bad credentials to every call", "runner untouched; failure counted; exit 1; says 401", GitHub),
        Row("api-403-permission", "GitHub answers 403 Resource not accessible (missing permission)", "asked once, not retried (permanent); runner untouched; failure counted; exit 1; says 403", GitHub),
        Row("api-404", "GitHub answers 404 Not Found", "asked once, not retried (permanent); runner untouched; failure counted; exit 1; says 404", GitHub),
        Row("api-422", "GitHub answers 422 Validation Failed", "asked once, not retried (permanent); runner untouched; failure counted; exit 1; says 422", GitHub),
        Row("api-primary-rate-limit", "primary rate limit used up (403, x-ratelimit-remaining 0), then a second run before the reset", "runner untouched; both exit 1; the second sends GitHub nothing and says rate limit", GitHub),
        Row("api-secondary-rate-limit", "secondary rate limit: 429 with Retry-After 1, then 201", "waits 1 s; refreshed; exit 0", GitHub),
        Row("api-secondary-rate-limit-403", "secondary rate limit: 403 with Retry-After 1, then 201", "waits 1 s; refreshed; exit 0", GitHub),
        Row("api-500-during-configure", "GitHub answers 500 to config.sh's first call, once", "rolled back; retried; refreshed; exit 0", GitHub),
        Row("api-timeout", "GitHub answers only after the request timeout (1 s)", "runner untouched; failure counted; exit 1; says it got no answer within 1 s", GitHub),
        Row("api-connection-refused", "nothing listens at the API URL", "runner untouched; failure counted; exit 1; says refused", GitHub),
        Row("api-malformed-json", "GitHub's token answer is not JSON", "runner untouched; failure counted; exit 1; says JSON", GitHub),
        Row("api-html", "a proxy answers an HTML page", "runner untouched; failure counted; exit 1; says HTML", GitHub),

        // config.sh, the runner's own script.
        Row("config-remove-fails", "config.sh remove fails", "old registration restored byte for byte; unit running; exit 1; config.sh's error shown", ConfigSh),
        Row("config-remove-partway", "config.sh remove deletes .credentials, then fails", "old registration restored byte for byte; unit running; exit 1; config.sh's error shown", ConfigSh),
        Row("config-configure-fails", "config.sh configure fails (403 from GitHub)", "old registration restored byte for byte; unit running; exit 1; says Forbidden", ConfigSh),
        Row("config-configure-partway", "config.sh configure writes a key, then fails with a 500", "old registration restored byte for byte; unit running; exit 1; says 500", ConfigSh),
        Row("config-configure-hangs", "config.sh configure hangs (ConfigTimeout 2 s)", "killed; old registration restored byte for byte; unit running; exit 1; says within 2 s", ConfigSh),
        Row("config-hangs-after-registering", "config.sh hangs after GitHub replaced the runner (ConfigTimeout 6 s)", "killed; complete new registration kept, unit started, listening: refreshed, not repeated; exit 0", ConfigSh),
        Row("config-refuses-root", "config.sh refuses root (no RUNNER_ALLOW_RUNASROOT)", "not retried (permanent); old registration restored byte for byte; unit running; exit 1; names RUNNER_ALLOW_RUNASROOT", ConfigSh),
        Row("config-unknown-runner-group", "RUNNER_GROUP names a group GitHub does not have", "not retried (permanent); old registration restored byte for byte; unit running; exit 1; config.sh's \"Could not find\" shown", ConfigSh),

        // systemctl and the unit's listener.
        Row("systemctl-stop-fails", "systemctl stop fails (Access denied)", "runner untouched, still running; exit 1; says Access denied", Systemctl),
        Row("systemctl-stop-hangs", "systemctl stop hangs (StopTimeout 2 s)", "killed; runner untouched, still running; exit 1; says within 2 s", Systemctl),
        Row("systemctl-stop-slow", "the unit takes 1.5 s to stop (a job ending)", "waited; refreshed; exit 0", Systemctl),
        Row("systemctl-start-fails-once", "systemctl start fails once", "retried; refreshed and running; exit 0", Systemctl),
        Row("systemctl-start-fails", "systemctl start fails every time", "new registration kept; unit down; exit 1; systemctl's error shown; the next run starts it", Systemctl),
        Row("systemctl-unit-fails-after-start", "the unit fails right after it started", "new registration kept; unit down; exit 1; says failed; the next run starts it", Systemctl),
        Row("systemctl-listener-refuses-session", "the listener cannot create its session", "new registration kept; unit down; exit 1; the listener's line shown; the next run starts it", Systemctl),
        Row("systemctl-listener-never-listens", "the listener does not log Listening for Jobs (ListenTimeout 2 s)", "new registration kept; unit running; exit 1; says Listening for Jobs", Systemctl),

        // Signals to a one-shot run parked at a step (a fake that hangs there).
        Row("sigterm-at-stop", "SIGTERM while systemctl stop runs", "rolled back byte for byte; unit running; exit 0; says SIGTERM", Sigterm),
        Row("sigterm-at-remove", "SIGTERM while config.sh remove runs", "rolled back byte for byte; unit running; exit 0; says SIGTERM", Sigterm),
        Row("sigterm-at-configure", "SIGTERM while config.sh configure runs", "rolled back byte for byte; unit running; exit 0; says SIGTERM", Sigterm),
        Row("sigterm-at-configured", "SIGTERM after config.sh registered, before it exits", "complete new registration kept; unit running; exit 0; says SIGTERM", Sigterm),
        Row("sigterm-at-start", "SIGTERM while systemctl start runs", "new registration kept; unit running; exit 0; says SIGTERM", Sigterm),
        Row("sigterm-at-listen", "SIGTERM while waiting for Listening for Jobs", "new registration kept; unit running; exit 0; says SIGTERM", Sigterm),
        Row("sigkill-at-stop", "SIGKILL while systemctl stop runs, then the next run", "the next run says where it stopped, repairs and refreshes; registered and running; exit 0", Sigkill),
        Row("sigkill-at-remove", "SIGKILL while config.sh remove runs, then the next run", "the next run says where it stopped, repairs and refreshes; registered and running; exit 0", Sigkill),
        Row("sigkill-at-configure", "SIGKILL while config.sh configure runs, then the next run", "the next run says where it stopped, repairs and refreshes; registered and running; exit 0", Sigkill),
        Row("sigkill-at-configured", "SIGKILL after config.sh registered, then the next run", "the next run says where it stopped, repairs and refreshes; registered and running; exit 0", Sigkill),
        Row("sigkill-at-start", "SIGKILL while systemctl start runs, then the next run", "the next run says where it stopped, repairs and refreshes; registered and running; exit 0", Sigkill),
        Row("sigkill-at-listen", "SIGKILL while waiting for Listening for Jobs, then the next run", "the next run says where it stopped, repairs and refreshes; registered and running; exit 0", Sigkill),

        // The disk, and things in the way where a file is expected.
        Row("disk-runner-folder-read-only", "the runner folder cannot be written (chattr +i)", "nothing changed; unit running; exit 1; says access denied at step service-aside", Disk),
        Row("disk-state-folder-read-only", "the state folder cannot be written (chattr +i)", "no token fetched; runner untouched; exit 1; names the folder", Disk),
        Row("disk-metrics-disk-full", "the metrics file's disk is full", "refreshed; old metrics whole; exit 0; says No space left on device", Disk),
        Row("disk-metrics-device", "the metrics file is /dev/full", "refused, not written; refreshed; exit 0; says metrics file refused", Disk),
        Row("fifo-metrics-file", "a FIFO at the metrics file's path", "no wait; refreshed; exit 0; says not a regular file", Disk),
        Row("fifo-newest-diag-log", "a FIFO as the newest _diag/Runner_*.log", "no wait; refreshed and listening; exit 0; names the FIFO as not opened", Disk),
        Row("fifo-credentials", "a FIFO at .credentials", "no wait; nothing stopped; unit running; exit 1; says .credentials is not a regular file", Disk),
        Row("state-folder-symlink", "the runner's state folder is a symbolic link", "nothing written through it; runner untouched; exit 1; says symbolic link", Disk),

        // Races.
        Row("race-two-runs", "two one-shot runs at once", "one token, one configure; refreshed once; both exit 0", Race),
        Row("race-lock-file-deleted", "refresh.lock deleted during a refresh, then a second run", "the second waits, then leaves the runner alone (exit 0); one configure", Race),
    ];

    private static MatrixRow Row(string id, string what, string expected, string test) => new(MatrixKind.Fault, id, what, expected, test);
}
