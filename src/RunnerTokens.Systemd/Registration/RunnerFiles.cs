namespace RunnerTokens.Systemd;

/// <summary>The names of the files in a runner directory that a re-registration backs up, changes and puts back.</summary>
internal static class RunnerFiles
{
    public const string Runner = RunnerSettingsFile.FileName;
    public const string Credentials = ".credentials";
    public const string RsaParams = ".credentials_rsaparams";
    public const string RunnerMigrated = ".runner_migrated";
    public const string CredentialsMigrated = ".credentials_migrated";
    public const string Service = ".service";
    public const string PathFile = ".path";
    public const string EnvFile = ".env";
    public const string ServiceScript = "svc.sh";

    /// <summary>Where <c>.service</c> waits while <c>config.sh remove</c> runs (it refuses while <c>.service</c> exists).</summary>
    public const string ServiceAside = ".service.runnertokens-aside";

    /// <summary>The registration: what <c>config.sh remove</c> deletes and <c>config.sh</c> writes, the migrated copies included.</summary>
    public static readonly IReadOnlyList<string> Registration = [Runner, Credentials, RsaParams, RunnerMigrated, CredentialsMigrated];

    /// <summary>
    /// The runner's service environment, which every config.sh run changes as a side effect: its env.sh rewrites
    /// <c>.path</c> with the caller's <c>PATH</c> and appends to <c>.env</c>, and configure regenerates <c>svc.sh</c>.
    /// A re-registration puts them back as they were.
    /// </summary>
    public static readonly IReadOnlyList<string> ServiceEnvironment = [PathFile, EnvFile, ServiceScript];

    /// <summary>What is backed up before anything changes.</summary>
    public static readonly IReadOnlyList<string> BackedUp = [.. Registration, Service, .. ServiceEnvironment];

    /// <summary>The files a complete registration has; config.sh writes <c>.runner</c> last.</summary>
    public static readonly IReadOnlyList<string> Complete = [Runner, Credentials, RsaParams];
}
