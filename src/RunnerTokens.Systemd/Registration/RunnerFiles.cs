namespace RunnerTokens.Systemd;

/// <summary>The names of the files in a runner directory that make up its registration and its service.</summary>
internal static class RunnerFiles
{
    public const string Runner = ".runner";
    public const string Credentials = ".credentials";
    public const string RsaParams = ".credentials_rsaparams";
    public const string RunnerMigrated = ".runner_migrated";
    public const string CredentialsMigrated = ".credentials_migrated";
    public const string Service = ".service";

    /// <summary>Where <c>.service</c> waits while <c>config.sh remove</c> runs (it refuses while <c>.service</c> exists).</summary>
    public const string ServiceAside = ".service.runnertokens-aside";

    /// <summary>The registration: what <c>config.sh remove</c> deletes and <c>config.sh</c> writes, the migrated copies included.</summary>
    public static readonly IReadOnlyList<string> Registration = [Runner, Credentials, RsaParams, RunnerMigrated, CredentialsMigrated];

    /// <summary>What is backed up before anything changes: the registration and <c>.service</c>.</summary>
    public static readonly IReadOnlyList<string> BackedUp = [.. Registration, Service];
}
