using Microsoft.Extensions.Options;

namespace RunnerTokens.Systemd;

/// <summary>
/// The runner's <c>config.sh</c> is there and this user may run it: <c>test -x</c> answers as access(2) does for this
/// user (mode, owner and groups), without native calls. As root, <c>config.sh</c> refuses to run unless
/// <see cref="SystemdOptions.AllowRunAsRoot"/> is set.
/// </summary>
internal sealed class ConfigScriptCheck(IOptions<SystemdOptions> options, CommandRunner commands, ProcessIdentity identity) : IRunnerPreflightCheck
{
    public const string Title = "config.sh can be run by this user";
    private const string TestProgram = "/usr/bin/test";

    public bool GuardsRefresh => false;

    public async ValueTask<IReadOnlyList<PreflightResult>> CheckAsync(RunnerContext runner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var settings = options.Value;
        var script = Path.Combine(runner.Directory, ConfigScript.FileName);
        if (!File.Exists(script))
        {
            return [PreflightResult.Failed(Title, $"{script} does not exist", "set RUNNER_DIR (--runner-dir) to the runner's installation folder, where config.sh is", blocksRefresh: true)];
        }

        var test = await commands.RunAsync(
            new CommandSpec(File.Exists(TestProgram) ? TestProgram : "test", ["-x", script], CommandSpec.NoEnvironment, []),
            settings.SystemctlTimeout,
            new SecretMasker(),
            cancellationToken).ConfigureAwait(false);
        if (test.StartError is not null || test.TimedOutAfter is not null)
        {
            return [PreflightResult.Unknown(Title, $"cannot tell: {test.Describe()}")];
        }

        if (test.ExitCode != 0)
        {
            return [PreflightResult.Failed(
                Title,
                $"{script} is not executable by this user",
                $"run the refresher as the runner's user (the owner of {runner.Directory}), or make config.sh executable for it (chmod u+x)",
                blocksRefresh: true)];
        }

        if (identity.IsRoot && !settings.AllowRunAsRoot)
        {
            return [PreflightResult.Failed(
                Title,
                "this process runs as root, and config.sh refuses to run as root (\"Must not run with sudo\")",
                "run the refresher as the runner's user (User= in the unit), or set RUNNER_ALLOW_RUNASROOT=1 (Systemd:AllowRunAsRoot) for a runner that runs as root",
                blocksRefresh: true)];
        }

        return [PreflightResult.Ok(Title, script)];
    }
}
