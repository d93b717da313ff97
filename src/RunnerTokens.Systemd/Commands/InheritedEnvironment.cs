namespace RunnerTokens.Systemd;

/// <summary>
/// The variables a command started by this package may inherit from the refresher: what a shell, a proxy and a TLS
/// stack need, nothing else. Everything else is removed: a token the refresher holds (<c>GITHUB_TOKEN</c>,
/// <c>GH_TOKEN</c>), a debug switch (<c>GITHUB_ACTIONS_RUNNER_HTTPTRACE</c> would log config.sh's HTTP traffic), an
/// <c>ACTIONS_RUNNER_INPUT_*</c> that config.sh would read as an option, or <c>RUNNER_ALLOW_RUNASROOT</c>.
/// </summary>
internal static class InheritedEnvironment
{
    private static readonly HashSet<string> _allowed = new(StringComparer.Ordinal)
    {
        "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TZ", "TMPDIR",
        "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY", "all_proxy", "ALL_PROXY",
        "SSL_CERT_FILE", "SSL_CERT_DIR", "XDG_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS",
    };

    /// <summary>Whether a command may inherit the refresher's variable <paramref name="name"/>.</summary>
    public static bool IsAllowed(string name) =>
        _allowed.Contains(name) || name.StartsWith("LC_", StringComparison.Ordinal);

    /// <summary>The names of the refresher's variables a command must not see.</summary>
    public static IEnumerable<string> Refused() =>
        System.Environment.GetEnvironmentVariables().Keys.OfType<string>().Where(name => !IsAllowed(name));
}
