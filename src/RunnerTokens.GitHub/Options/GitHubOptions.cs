namespace RunnerTokens.GitHub;

/// <summary>
/// How RunnerTokens talks to GitHub: where the API is, which credential to use, and how long to wait for it.
/// Credentials are looked for in this order: a GitHub App (<see cref="AppId"/> or <see cref="ClientId"/> with
/// <see cref="PrivateKeyFile"/>), a token file (<see cref="TokenFile"/>, else <c>$CREDENTIALS_DIRECTORY/github-token</c>),
/// the environment variables <c>GITHUB_TOKEN</c> then <c>GH_TOKEN</c>, and the GitHub CLI (<c>gh auth token</c>).
/// The files named are checked at start (they exist and can be read; a key is an RSA key in PEM form), and read again
/// at every call, so that a rotated secret is picked up; nothing else is read before the first call to GitHub.
/// </summary>
public sealed class GitHubOptions
{
    /// <summary>The default <see cref="RequestTimeout"/>: 30 seconds.</summary>
    public const int DefaultRequestTimeoutSeconds = 30;

    /// <summary>The default <see cref="MaxRetryAttempts"/>: 4.</summary>
    public const int DefaultMaxRetryAttempts = 4;

    /// <summary>The default <see cref="RetryDelay"/>: 2 seconds.</summary>
    public const int DefaultRetryDelaySeconds = 2;

    /// <summary>The default <see cref="MaxRateLimitWait"/>: 300 seconds.</summary>
    public const int DefaultMaxRateLimitWaitSeconds = 300;

    /// <summary>The default <see cref="GhPath"/>: <c>gh</c>, found on <c>PATH</c>.</summary>
    public const string DefaultGhPath = "gh";

    /// <summary>The default <see cref="RegistrationCheckInterval"/>: 30 minutes.</summary>
    public const int DefaultRegistrationCheckIntervalMinutes = 30;

    /// <summary>The default <see cref="RegistrationChecksPerHour"/>: 6.</summary>
    public const int DefaultRegistrationChecksPerHour = 6;

    /// <summary>The file name looked for in <c>$CREDENTIALS_DIRECTORY</c> (systemd <c>LoadCredential=github-token:…</c>).</summary>
    public const string CredentialName = "github-token";

    /// <summary>
    /// Gets or sets the REST API root, such as <c>https://api.github.com</c> or <c>https://ghes.example.com/api/v3</c>.
    /// </summary>
    /// <value>
    /// The default value is <see langword="null"/>: derived from each runner's URL: <c>github.com</c> →
    /// <c>https://api.github.com</c>, <c>NAME.ghe.com</c> → <c>https://api.NAME.ghe.com</c>, any other host (GitHub
    /// Enterprise Server) → <c>https://HOST/api/v3</c>.
    /// </value>
    public string? ApiUrl { get; set; }

    /// <summary>
    /// Gets or sets a file holding a token (a personal access token, classic or fine-grained), read at every call so a
    /// rotated token is picked up without a restart.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: <c>$CREDENTIALS_DIRECTORY/github-token</c> when it exists.</value>
    public string? TokenFile { get; set; }

    /// <summary>Gets or sets the GitHub App's numeric id, used as the JWT issuer when <see cref="ClientId"/> is not set.</summary>
    /// <value>The default value is <see langword="null"/>: no App, unless <see cref="ClientId"/> is set.</value>
    public long? AppId { get; set; }

    /// <summary>Gets or sets the GitHub App's client id (<c>Iv…</c>), GitHub's preferred JWT issuer.</summary>
    /// <value>The default value is <see langword="null"/>: <see cref="AppId"/> is the issuer.</value>
    public string? ClientId { get; set; }

    /// <summary>Gets or sets the GitHub App's private key file (PEM, as GitHub downloads it). Keep it readable by its owner only.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? PrivateKeyFile { get; set; }

    /// <summary>Gets or sets the App's installation id, for every runner scope.</summary>
    /// <value>
    /// The default value is <see langword="null"/>: found per organisation (<c>GET /orgs/ORG/installation</c>) or
    /// repository (<c>GET /repos/OWNER/REPO/installation</c>) and remembered.
    /// </value>
    public long? InstallationId { get; set; }

    /// <summary>Gets or sets a value indicating whether <c>gh auth token</c> is asked when no other credential is found.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool UseGitHubCli { get; set; } = true;

    /// <summary>Gets or sets the GitHub CLI program: a name looked up on <c>PATH</c>, or an absolute path.</summary>
    /// <value>The default value is <c>gh</c>.</value>
    public string GhPath { get; set; } = DefaultGhPath;

    /// <summary>Gets or sets the time limit of one HTTP request to GitHub (and of one <c>gh auth token</c> run).</summary>
    /// <value>The default value is 30 seconds.</value>
    [SettingRange("00:00:01", "00:01:40", Section = "GitHub")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(DefaultRequestTimeoutSeconds);

    /// <summary>
    /// Gets or sets how many times a failed call is retried: after a server error (5xx), a timeout, a connection error
    /// or a rate limit. 401, 403 (other than rate limits), 404 and 422 are never retried.
    /// </summary>
    /// <value>The default value is 4.</value>
    [SettingRange(0, 10, Section = "GitHub")]
    public int MaxRetryAttempts { get; set; } = DefaultMaxRetryAttempts;

    /// <summary>Gets or sets the first wait before a retry after a server error; later waits grow exponentially, with jitter.</summary>
    /// <value>The default value is 2 seconds.</value>
    [SettingRange("00:00:00", "00:01:00", Section = "GitHub")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(DefaultRetryDelaySeconds);

    /// <summary>
    /// Gets or sets the longest one call waits, in all, for GitHub's rate limits (<c>Retry-After</c>, or until
    /// <c>x-ratelimit-reset</c>). A longer wait fails the call at once, with a message saying when to retry.
    /// </summary>
    /// <value>The default value is 300 seconds.</value>
    [SettingRange("00:00:00", "01:00:00", Section = "GitHub")]
    public TimeSpan MaxRateLimitWait { get; set; } = TimeSpan.FromSeconds(DefaultMaxRateLimitWaitSeconds);

    /// <summary>
    /// Gets or sets how often, on average, the registration source (<c>--policy registration</c>) asks GitHub whether it
    /// still lists a runner whose listener log looks healthy: each wait is drawn between 0.75 and 1.25 times this, so a
    /// fleet started together spreads its requests. A runner whose log looks wrong is asked about at once (at most every
    /// 5 minutes); one whose log shows the listener gave up is renewed without asking.
    /// </summary>
    /// <value>The default value is 30 minutes.</value>
    [SettingRange("00:01:00", "1.00:00:00", Section = "GitHub")]
    public TimeSpan RegistrationCheckInterval { get; set; } = TimeSpan.FromMinutes(DefaultRegistrationCheckIntervalMinutes);

    /// <summary>
    /// Gets or sets how many questions an hour, on average, the registration source may ask GitHub at its cadence about
    /// all the runners of this process together: with more runners than that allows at
    /// <see cref="RegistrationCheckInterval"/>, each runner is asked less often (on average every runners ÷ this hours),
    /// so a host's requests do not grow with its runners. A runner whose log looks wrong is still asked about at once.
    /// </summary>
    /// <value>
    /// The default value is 6: up to 3 runners are asked about every 30 minutes, 12 runners every 2 hours; with a GitHub
    /// App under a timer, each question may also cost an installation token, so a host stays under 15 requests an hour.
    /// </value>
    [SettingRange(1, 3600, Section = "GitHub")]
    public int RegistrationChecksPerHour { get; set; } = DefaultRegistrationChecksPerHour;

    /// <summary>
    /// Gets or sets the folder where the rate limits GitHub announced are remembered (<c>github-rate-limits.json</c>,
    /// mode 600, no secret in it), so that neither this process nor another run of the refresher (the daemon, each
    /// timer or cron run) calls GitHub with that credential before the time GitHub named; and GitHub's last answers
    /// with their <c>ETag</c>s (<c>github-responses.json</c>, mode 600, no secret in it), so that a timer or cron run
    /// asks again conditionally, and an unchanged answer costs nothing against the rate limit.
    /// </summary>
    /// <value>
    /// The default value is <see langword="null"/>: the refresher's state folder (<c>RunnerTokens:StateDirectory</c>),
    /// else <c>$STATE_DIRECTORY</c>; with neither, limits are remembered by this process only.
    /// </value>
    public string? StateDirectory { get; set; }
}
