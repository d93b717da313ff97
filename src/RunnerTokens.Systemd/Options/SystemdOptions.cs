namespace RunnerTokens.Systemd;

/// <summary>How runners are re-registered under systemd: where <c>systemctl</c> is, how it is called, and time limits.</summary>
public sealed class SystemdOptions
{
    /// <summary>The default <see cref="SystemctlPath"/>: <c>systemctl</c>, found on <c>PATH</c>.</summary>
    public const string DefaultSystemctlPath = "systemctl";

    /// <summary>The default <see cref="SystemctlTimeout"/>: 60 seconds.</summary>
    public const int DefaultSystemctlTimeoutSeconds = 60;

    /// <summary>The default <see cref="StopTimeout"/>: 360 seconds, beyond the runner unit's own <c>TimeoutStopSec=5min</c>.</summary>
    public const int DefaultStopTimeoutSeconds = 360;

    /// <summary>The default <see cref="ConfigTimeout"/>: 300 seconds.</summary>
    public const int DefaultConfigTimeoutSeconds = 300;

    /// <summary>The default <see cref="RollbackTimeout"/>: 120 seconds.</summary>
    public const int DefaultRollbackTimeoutSeconds = 120;

    /// <summary>The default <see cref="ListenTimeout"/>: 120 seconds.</summary>
    public const int DefaultListenTimeoutSeconds = 120;

    /// <summary>Gets or sets the <c>systemctl</c> program: a name looked up on <c>PATH</c>, or an absolute path.</summary>
    /// <value>The default value is <c>systemctl</c>.</value>
    public string SystemctlPath { get; set; } = DefaultSystemctlPath;

    /// <summary>
    /// Gets or sets words put before every <c>systemctl</c> command, such as <c>sudo -n</c> when the refresher runs as
    /// the runner's user and a sudoers rule lets it stop and start the runner's unit. Split on white space.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: <c>systemctl</c> runs directly.</value>
    public string? SystemctlPrefix { get; set; }

    /// <summary>Gets or sets a value indicating whether the runners' units are user units (<c>systemctl --user</c>).</summary>
    /// <value>The default value is <see langword="false"/>: system units.</value>
    public bool UserUnits { get; set; }

    /// <summary>
    /// Gets the unit of a runner by runner name (or by the runner's directory, as an absolute path), overriding the name
    /// in the runner's <c>.service</c> file.
    /// A runner with neither is not a service: it is re-registered without stopping or starting anything.
    /// </summary>
    /// <value>The default value is empty: every runner's unit is read from its <c>.service</c> file.</value>
    public IDictionary<string, string> Units { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Gets or sets a value indicating whether <c>config.sh</c> may run as root: sets <c>RUNNER_ALLOW_RUNASROOT=1</c>
    /// for it. Without it the variable is absent (an inherited one is removed: config.sh lets root run for any
    /// non-empty value, <c>0</c> included), and the runner's <c>config.sh</c> refuses to run as root ("Must not run with sudo").
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AllowRunAsRoot { get; set; }

    /// <summary>
    /// Gets extra environment variables for the commands this package runs (<c>config.sh</c>, <c>systemctl</c> and
    /// the prefix), such as <c>JAVA_HOME</c>. A <c>PATH</c> here is also where programs named without a folder are looked up.
    /// The commands inherit only <c>PATH</c>, <c>HOME</c>, <c>USER</c>, <c>LOGNAME</c>, <c>SHELL</c>, <c>LANG</c>,
    /// <c>LANGUAGE</c>, <c>LC_*</c>, <c>TZ</c>, <c>TMPDIR</c>, the proxy variables (<c>http_proxy</c>, <c>https_proxy</c>,
    /// <c>no_proxy</c>, <c>all_proxy</c>, either case), <c>SSL_CERT_FILE</c>, <c>SSL_CERT_DIR</c>, <c>XDG_RUNTIME_DIR</c>
    /// and <c>DBUS_SESSION_BUS_ADDRESS</c> from the refresher, then these.
    /// </summary>
    /// <value>The default value is empty: the commands get only the allowed part of the refresher's environment.</value>
    public IDictionary<string, string> Environment { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets or sets the time limit of one <c>systemctl start</c> or <c>is-active</c>.</summary>
    /// <value>The default value is 60 seconds.</value>
    [SettingRange("00:00:01", "01:00:00", Section = "Systemd")]
    public TimeSpan SystemctlTimeout { get; set; } = TimeSpan.FromSeconds(DefaultSystemctlTimeoutSeconds);

    /// <summary>Gets or sets how long <c>systemctl stop</c> and the wait until the unit is inactive may take together.</summary>
    /// <value>The default value is 360 seconds: the runner unit gives a job up to 5 minutes to stop.</value>
    [SettingRange("00:00:01", "01:00:00", Section = "Systemd")]
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(DefaultStopTimeoutSeconds);

    /// <summary>Gets or sets the time limit of one <c>config.sh</c> run (remove or configure).</summary>
    /// <value>The default value is 300 seconds.</value>
    [SettingRange("00:00:01", "01:00:00", Section = "Systemd")]
    public TimeSpan ConfigTimeout { get; set; } = TimeSpan.FromSeconds(DefaultConfigTimeoutSeconds);

    /// <summary>
    /// Gets or sets the time limit of a rollback (restore the files, start the unit) after a failure or a cancellation.
    /// The rollback is not cancelled with the refresh; only this limit stops it.
    /// </summary>
    /// <value>The default value is 120 seconds.</value>
    [SettingRange("00:00:01", "01:00:00", Section = "Systemd")]
    public TimeSpan RollbackTimeout { get; set; } = TimeSpan.FromSeconds(DefaultRollbackTimeoutSeconds);

    /// <summary>
    /// Gets or sets how long, after the unit is started, the runner's listener may take to log "Listening for Jobs"
    /// in a new <c>_diag/Runner_*.log</c>. A re-registration is done only then (and with the unit still active).
    /// </summary>
    /// <value>The default value is 120 seconds.</value>
    [SettingRange("00:00:01", "01:00:00", Section = "Systemd")]
    public TimeSpan ListenTimeout { get; set; } = TimeSpan.FromSeconds(DefaultListenTimeoutSeconds);
}
