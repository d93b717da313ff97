using System.Diagnostics;
using System.Text;
using CliWrap;
using CliWrap.Buffered;
using RunnerTokens.TestKit;

namespace RunnerTokens.Host.Tests.Deploy;

/// <summary>
/// A Debian host in a temp folder that stands for <c>/</c>, on which the README's install steps ("Install on a Debian
/// host") are performed as written, one method per step, with the runner's user played by an unused uid
/// (<see cref="RunnerUid"/>, no passwd entry needed). Host paths in the shipped files (<c>/etc/github-runner</c>,
/// <c>/var/lib/runner-token-refresh</c>, <c>/var/log/runner-token-refresh</c>, <c>/usr/local/bin</c>) are mapped into
/// the folder by <see cref="MapPaths"/>. The command is a wrapper in the mapped <c>/usr/local/bin</c> that runs the
/// built <c>runner-token-refresh.dll</c>. Needs root (as the tests run here and in CI) for chown and setpriv.
/// </summary>
internal sealed class DebianHost : IDisposable
{
    /// <summary>The uid and gid that play the user and group <c>runner</c>.</summary>
    public const int RunnerUid = 64123;

    private static readonly string[] _hostFolders = ["/etc/github-runner", "/var/lib/runner-token-refresh", "/var/log/runner-token-refresh", "/usr/local/bin"];

    private readonly TempDirectory _root = new("debian-host");

    public DebianHost()
    {
        // The runner's user must be able to reach everything below the root, as on a real host.
        File.SetUnixFileMode(_root.Path, ReadableFolder);
        Home = Folder("/home/runner", owner: RunnerUid);
    }

    /// <summary>Gets rwxr-xr-x.</summary>
    public static UnixFileMode ReadableFolder =>
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>Gets the runner's home folder (the mapped <c>/home/runner</c>).</summary>
    public string Home { get; }

    /// <summary>Gets the mapped <c>/etc/github-runner/github-token</c>.</summary>
    public string TokenFile => Map("/etc/github-runner/github-token");

    /// <summary>Gets the mapped <c>/etc/github-runner/token-refresh.env</c>.</summary>
    public string EnvFile => Map("/etc/github-runner/token-refresh.env");

    /// <summary>Gets the mapped <c>/var/lib/runner-token-refresh</c>.</summary>
    public string StateDirectory => Map("/var/lib/runner-token-refresh");

    /// <summary>Gets the mapped <c>/var/log/runner-token-refresh</c>.</summary>
    public string LogsDirectory => Map("/var/log/runner-token-refresh");

    /// <summary>The mapped path of a host path (<c>/etc/x</c> → <c>TEMP/etc/x</c>).</summary>
    public string Map(string hostPath) => _root.Path + hostPath;

    /// <summary><paramref name="text"/> with every host folder the shipped files name replaced by its mapped path.</summary>
    public string MapPaths(string text) =>
        _hostFolders.Aggregate(text, (current, folder) => current.Replace(folder, Map(folder), StringComparison.Ordinal));

    /// <summary>Step 1: the command in /usr/local/bin (here a wrapper that runs the built dll with dotnet).</summary>
    public void InstallCommand()
    {
        var bin = Folder("/usr/local/bin", owner: 0);
        var dotnet = (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin")
            .Split(':')
            .Select(folder => Path.Combine(folder, "dotnet"))
            .First(File.Exists);
        var wrapper = Path.Combine(bin, "runner-token-refresh");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec '{dotnet}' '{HostProcess.DllPath}' \"$@\"\n");
        File.SetUnixFileMode(wrapper, ReadableFolder);
    }

    /// <summary>
    /// Step 2: <c>sudo install -d -m 755 /etc/github-runner</c>, then the token, root's, mode 600
    /// (<c>umask 077; cat &gt; …/github-token</c>).
    /// </summary>
    public void InstallToken(string token)
    {
        Folder("/etc/github-runner", owner: 0);
        File.WriteAllText(TokenFile, token + "\n");
        File.SetUnixFileMode(TokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>
    /// Step 3: <c>sudo install -m 644 …/token-refresh.env /etc/github-runner/</c>, then the operator's edits
    /// (<paramref name="edits"/>: each replaces the line that sets or comments out its variable, or is appended).
    /// </summary>
    public void InstallEnvFile(IReadOnlyDictionary<string, string> edits)
    {
        var lines = File.ReadAllLines(Path.Combine(DeployFolder, "token-refresh.env")).ToList();
        foreach (var (name, value) in edits)
        {
            var line = $"{name}={value}";
            var at = lines.FindIndex(l => l.StartsWith(name + "=", StringComparison.Ordinal) || l.StartsWith("#" + name + "=", StringComparison.Ordinal));
            if (at >= 0)
            {
                lines[at] = line;
            }
            else
            {
                lines.Add(line);
            }
        }

        File.WriteAllText(EnvFile, MapPaths(string.Join('\n', lines) + "\n"));
        File.SetUnixFileMode(EnvFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    /// <summary>
    /// Step 6c, cron only (the units get these from StateDirectory=, LogsDirectory= and LoadCredential=):
    /// <c>sudo install -d -o runner -g runner -m 755 /var/lib/runner-token-refresh</c>,
    /// <c>sudo install -d -o runner -g runner -m 750 /var/log/runner-token-refresh</c> and
    /// <c>sudo chown runner:runner /etc/github-runner/github-token</c> (mode stays 600).
    /// </summary>
    public void PrepareForCron()
    {
        Folder("/var/lib/runner-token-refresh", owner: RunnerUid);
        Folder("/var/log/runner-token-refresh", owner: RunnerUid);
        File.SetUnixFileMode(LogsDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        Chown(TokenFile, RunnerUid);
    }

    /// <summary>
    /// Runs a cron entry as cron does (crontab(5), Debian's cron): as the entry's user (only <c>runner</c> here, played
    /// by <see cref="RunnerUid"/>), with <c>$SHELL -c command</c>, in the user's home, with a clean environment of
    /// <c>SHELL=/bin/sh</c>, <c>HOME</c>, <c>LOGNAME</c>, <c>USER</c> and cron's default <c>PATH</c>, overridden by the
    /// file's own assignments; stdin /dev/null, no terminal; host paths mapped. What it prints is what cron would mail.
    /// </summary>
    public async Task<BufferedCommandResult> RunCronJobAsync(CronFile cron, CronEntry entry)
    {
        Assert.Equal("runner", entry.User);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["SHELL"] = "/bin/sh",
            ["PATH"] = "/usr/bin:/bin",
            ["HOME"] = Home,
            ["LOGNAME"] = entry.User,
            ["USER"] = entry.User,
        };
        foreach (var (name, value) in cron.Environment)
        {
            environment[name] = MapPaths(value);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        return await Cli.Wrap("/usr/bin/env")
            .WithArguments(
            [
                "-i", .. environment.Select(p => $"{p.Key}={p.Value}"),
                "setpriv", $"--reuid={RunnerUid}", $"--regid={RunnerUid}", "--clear-groups", "--",
                environment["SHELL"], "-c", MapPaths(entry.Command),
            ])
            .WithWorkingDirectory(Home)
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(Encoding.UTF8, timeout.Token);
    }

    /// <summary>The folder of the shipped deploy files.</summary>
    public static string DeployFolder => Path.Combine(HostProcess.RepositoryRoot, "src", "RunnerTokens.Host", "deploy");

    /// <summary>Gives <paramref name="path"/> (and all below it) to <paramref name="uid"/> (its group the same number).</summary>
    public static void Chown(string path, int uid, bool recursive = false)
    {
        using var chown = Process.Start("chown", recursive ? ["-R", $"{uid}:{uid}", path] : [$"{uid}:{uid}", path]);
        chown.WaitForExit();
        if (chown.ExitCode != 0)
        {
            throw new InvalidOperationException($"chown {uid} {path} failed");
        }
    }

    public void Dispose() => _root.Dispose();

    private string Folder(string hostPath, int owner)
    {
        var path = Map(hostPath);
        Directory.CreateDirectory(path);
        for (var folder = path; folder.Length > _root.Path.Length; folder = Path.GetDirectoryName(folder)!)
        {
            File.SetUnixFileMode(folder, ReadableFolder);
        }

        Chown(path, owner);
        return path;
    }
}
