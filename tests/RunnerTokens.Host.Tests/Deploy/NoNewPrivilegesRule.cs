namespace RunnerTokens.Host.Tests.Deploy;

/// <summary>
/// systemd's rule, as systemd.exec(5) (systemd 252, Debian 12) states it under <c>NoNewPrivileges=</c>: the flag is
/// set when <c>NoNewPrivileges=</c> is true, and also, "certain settings override this and ignore the value of this
/// setting", whenever the service runs without <c>CAP_SYS_ADMIN</c> (a <c>User=</c> other than root, or
/// <c>DynamicUser=</c>) and any of <see cref="ImplyingSettings"/> is on. With the flag set, a setuid program such as
/// sudo cannot gain root, so such a unit must not depend on sudo: not in its commands, not in the
/// <c>SYSTEMCTL_PREFIX</c> its environment gives the refresher. Not modelled: <c>AmbientCapabilities=</c> granting
/// <c>CAP_SYS_ADMIN</c> to a user, and user managers (<c>systemctl --user</c>).
/// </summary>
internal static class NoNewPrivilegesRule
{
    /// <summary>The settings that imply no-new-privileges for a service without CAP_SYS_ADMIN (systemd.exec(5)).</summary>
    public static readonly IReadOnlyList<string> ImplyingSettings =
    [
        "DynamicUser", "LockPersonality", "MemoryDenyWriteExecute", "PrivateDevices", "ProtectClock", "ProtectHostname",
        "ProtectKernelLogs", "ProtectKernelModules", "ProtectKernelTunables", "RestrictAddressFamilies",
        "RestrictNamespaces", "RestrictRealtime", "RestrictSUIDSGID", "SystemCallArchitectures", "SystemCallFilter",
        "SystemCallLog",
    ];

    // Settings that take a list: any value switches them on (even "none" or a "~" deny-list); only an empty
    // assignment switches them off again. The others are booleans (RestrictNamespaces also takes a list).
    private static readonly HashSet<string> _lists =
        new(["RestrictAddressFamilies", "SystemCallArchitectures", "SystemCallFilter", "SystemCallLog"], StringComparer.Ordinal);

    private static readonly HashSet<string> _false = new(["0", "no", "n", "false", "f", "off"], StringComparer.OrdinalIgnoreCase);
    private static readonly HashSet<string> _true = new(["1", "yes", "y", "true", "t", "on"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Why systemd sets no-new-privileges for <paramref name="unit"/> (<c>PrivateDevices=yes</c>, …); empty when it does not.</summary>
    public static IReadOnlyList<string> Reasons(SystemdUnitFile unit)
    {
        var reasons = new List<string>();
        if (unit.Value("Service", "NoNewPrivileges") is { } nnp && _true.Contains(nnp))
        {
            reasons.Add("NoNewPrivileges=" + nnp);
        }

        var user = unit.Value("Service", "User");
        var dynamicUser = unit.Value("Service", "DynamicUser") is { } d && _true.Contains(d);
        var withoutSysAdmin = dynamicUser || (user is not null && user is not ("root" or "0"));
        if (!withoutSysAdmin)
        {
            return reasons;
        }

        foreach (var setting in ImplyingSettings)
        {
            if (_lists.Contains(setting))
            {
                if (unit.Values("Service", setting).Count > 0)
                {
                    reasons.Add($"{setting}={string.Join(' ', unit.Values("Service", setting))}");
                }
            }
            else if (unit.Value("Service", setting) is { } value && !_false.Contains(value))
            {
                reasons.Add($"{setting}={value}");
            }
        }

        return reasons;
    }

    /// <summary>
    /// The variables the service starts with, from <c>Environment=</c> and then <c>EnvironmentFile=</c> (which beats
    /// it, as systemd.exec(5) says); <paramref name="readEnvironmentFile"/> maps a file's path to its variables, or
    /// null for a missing file (an error unless the path has systemd's <c>-</c> prefix).
    /// </summary>
    public static Dictionary<string, string> Environment(SystemdUnitFile unit, Func<string, Dictionary<string, string>?> readEnvironmentFile)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in unit.Values("Service", "Environment"))
        {
            foreach (var assignment in SplitQuoted(line))
            {
                var equals = assignment.IndexOf('=', StringComparison.Ordinal);
                variables[assignment[..equals]] = assignment[(equals + 1)..];
            }
        }

        foreach (var entry in unit.Values("Service", "EnvironmentFile"))
        {
            var optional = entry.StartsWith('-');
            var path = optional ? entry[1..] : entry;
            var file = readEnvironmentFile(path);
            if (file is null && !optional)
            {
                throw new FileNotFoundException("EnvironmentFile= not found", path);
            }

            foreach (var (name, value) in file ?? [])
            {
                variables[name] = value;
            }
        }

        return variables;
    }

    /// <summary>Where the service would run sudo: a command line, or the <c>SYSTEMCTL_PREFIX</c> of its environment.</summary>
    public static IReadOnlyList<string> SudoUses(SystemdUnitFile unit, Func<string, Dictionary<string, string>?> readEnvironmentFile)
    {
        var uses = new List<string>();
        foreach (var key in (string[])["ExecStartPre", "ExecStart", "ExecStartPost", "ExecReload", "ExecStop", "ExecStopPost"])
        {
            uses.AddRange(unit.Values("Service", key).Where(UsesSudo).Select(command => $"{key}={command}"));
        }

        if (Environment(unit, readEnvironmentFile).TryGetValue("SYSTEMCTL_PREFIX", out var prefix) && UsesSudo(prefix))
        {
            uses.Add("SYSTEMCTL_PREFIX=" + prefix);
        }

        return uses;
    }

    /// <summary>What breaks the rule: each use of sudo in a unit where no-new-privileges holds, with why it holds.</summary>
    public static IReadOnlyList<string> Violations(SystemdUnitFile unit, Func<string, Dictionary<string, string>?> readEnvironmentFile)
    {
        var reasons = Reasons(unit);
        return reasons.Count == 0
            ? []
            : [.. SudoUses(unit, readEnvironmentFile).Select(use => $"{use} cannot work: no-new-privileges holds because of {string.Join(", ", reasons)}")];
    }

    private static bool UsesSudo(string command) =>
        command.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)
            .Select(word => word.TrimStart('-', '@', ':', '+', '!', '|'))
            .Any(word => Path.GetFileName(word) == "sudo");

    // Environment= takes space-separated assignments; double quotes keep one together ("A=b c").
    private static IEnumerable<string> SplitQuoted(string line)
    {
        var current = new System.Text.StringBuilder();
        var quoted = false;
        foreach (var c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ' ' && !quoted)
            {
                if (current.Length > 0)
                {
                    yield return current.ToString();
                    current.Clear();
                }
            }
            else
            {
                current.Append(c);
            }
        }

        if (current.Length > 0)
        {
            yield return current.ToString();
        }
    }
}
