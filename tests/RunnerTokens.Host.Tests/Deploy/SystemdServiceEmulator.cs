using System.Globalization;
using System.Text;
using CliWrap;
using CliWrap.Buffered;

namespace RunnerTokens.Host.Tests.Deploy;

/// <summary>
/// Runs a service unit's <c>ExecStart=</c> the way systemd 252 sets a system service up (systemd.exec(5)), strictly
/// enough that a test sees the program under the unit's own conditions; systemd is not PID 1 here. Followed: a clean
/// environment with what systemd puts in it (<c>PATH</c>, <c>HOME</c>, <c>USER</c>, <c>LOGNAME</c>, <c>SHELL</c>,
/// <c>INVOCATION_ID</c>, <c>JOURNAL_STREAM</c> as for output connected to the journal), then <c>Environment=</c>, then
/// <c>EnvironmentFile=</c> (systemd's rules, <c>-</c> for optional) over it; <c>StateDirectory=</c> and
/// <c>LogsDirectory=</c> created under <c>/var/lib</c> and <c>/var/log</c>, owned by the user, with
/// <c>StateDirectoryMode=</c>/<c>LogsDirectoryMode=</c> (default 0755), and <c>STATE_DIRECTORY</c>/<c>LOGS_DIRECTORY</c>
/// set; <c>LoadCredential=</c> copied into a fresh credentials folder (files 0400, folder 0500, owned by the user)
/// named by <c>CREDENTIALS_DIRECTORY</c>; <c>UMask=</c>; <c>User=</c>/<c>Group=</c> as a uid and gid (setpriv, no
/// supplementary groups); the no-new-privileges flag when the unit's settings set it (setpriv --no-new-privs); stdin /dev/null. Not followed: the sandboxing settings (ProtectSystem=, PrivateTmp=,
/// PrivateDevices=, system call filters), cgroups, KillMode=, timeouts, Type=notify
/// readiness, the journal itself (output comes back to the test), user name lookup, and <c>ExecStart=</c> quoting and
/// prefixes beyond plain words.
/// </summary>
internal sealed class SystemdServiceEmulator(SystemdUnitFile unit, Func<string, string> mapHostPath, int uid, int gid)
{
    private const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>Sets up what the unit asks for and runs its <c>ExecStart=</c> to the end.</summary>
    public async Task<BufferedCommandResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var user = unit.Value("Service", "User") ?? "root";
        var home = mapHostPath(user == "root" ? "/root" : "/home/" + user);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = DefaultPath,
            ["HOME"] = home,
            ["USER"] = user,
            ["LOGNAME"] = user,
            ["SHELL"] = "/bin/sh",
            ["INVOCATION_ID"] = Guid.NewGuid().ToString("N"),
            ["JOURNAL_STREAM"] = "8:4242",
        };

        if (unit.Value("Service", "StateDirectory") is { } state)
        {
            environment["STATE_DIRECTORY"] = MakeDirectory("/var/lib/" + state, unit.Value("Service", "StateDirectoryMode"));
        }

        if (unit.Value("Service", "LogsDirectory") is { } logs)
        {
            environment["LOGS_DIRECTORY"] = MakeDirectory("/var/log/" + logs, unit.Value("Service", "LogsDirectoryMode"));
        }

        if (unit.Values("Service", "LoadCredential") is { Count: > 0 } credentials)
        {
            environment["CREDENTIALS_DIRECTORY"] = LoadCredentials(credentials);
        }

        foreach (var (name, value) in NoNewPrivilegesRule.Environment(unit, ReadEnvironmentFile))
        {
            environment[name] = value;
        }

        var command = (unit.Value("Service", "ExecStart") ?? throw new InvalidOperationException("no ExecStart="))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var umask = unit.Value("Service", "UMask") ?? "0022";
        string[] arguments =
        [
            "-i", .. environment.Select(p => $"{p.Key}={p.Value}"),
            "setpriv", $"--reuid={uid}", $"--regid={gid}", "--clear-groups", .. NoNewPrivileges(), "--",
            "/bin/sh", "-c", "umask \"$0\"; exec \"$@\"", umask, mapHostPath(command[0]), .. command[1..],
        ];
        return await Cli.Wrap("/usr/bin/env")
            .WithArguments(arguments)
            .WithWorkingDirectory("/")
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(Encoding.UTF8, cancellationToken);
    }

    /// <summary>systemd.exec(5): the flag is set by NoNewPrivileges=yes, or for a non-root User= by any setting that implies it.</summary>
    private string[] NoNewPrivileges() =>
        NoNewPrivilegesRule.Reasons(unit).Count > 0 ? ["--no-new-privs"] : [];

    private Dictionary<string, string>? ReadEnvironmentFile(string hostPath)
    {
        var path = mapHostPath(hostPath);
        return File.Exists(path) ? SystemdEnvironmentFile.Read(path) : null;
    }

    private string MakeDirectory(string hostPath, string? mode)
    {
        var path = mapHostPath(hostPath);
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32(mode ?? "0755", 8));
        DebianHost.Chown(path, uid);
        return path;
    }

    private string LoadCredentials(IReadOnlyList<string> credentials)
    {
        var folder = mapHostPath("/run/credentials/" + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        foreach (var credential in credentials)
        {
            var colon = credential.IndexOf(':', StringComparison.Ordinal);
            var target = Path.Combine(folder, credential[..colon]);
            File.Copy(mapHostPath(credential[(colon + 1)..]), target);
            File.SetUnixFileMode(target, UnixFileMode.UserRead);
            DebianHost.Chown(target, uid);
        }

        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        DebianHost.Chown(folder, uid);
        return folder;
    }
}
