using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;

namespace RunnerTokens.Systemd;

/// <summary>
/// The runner's <c>config.sh</c> is there and this user may run it: <c>access(2)</c> with <c>X_OK</c> answers for this
/// user (mode, owner and groups) as <c>test -x</c> does, without a process per runner (a daemon of 1,000 runners
/// started 1,000 of them). As root, <c>config.sh</c> refuses to run unless <see cref="SystemdOptions.AllowRunAsRoot"/>
/// is set.
/// </summary>
internal sealed partial class ConfigScriptCheck(IOptions<SystemdOptions> options, ProcessIdentity identity) : IRunnerPreflightCheck
{
    public const string Title = "config.sh can be run by this user";

    private const int ExecuteAccess = 1; // X_OK

    public bool GuardsRefresh => false;

    public ValueTask<IReadOnlyList<PreflightResult>> CheckAsync(RunnerContext runner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        return ValueTask.FromResult(Check(runner));
    }

    private IReadOnlyList<PreflightResult> Check(RunnerContext runner)
    {
        var settings = options.Value;
        var script = Path.Combine(runner.Directory, ConfigScript.FileName);
        if (!File.Exists(script))
        {
            return [PreflightResult.Failed(Title, $"{script} does not exist", "set RUNNER_DIR (--runner-dir) to the runner's installation folder, where config.sh is", blocksRefresh: true)];
        }

        if (Access(script, ExecuteAccess) != 0)
        {
            // Any refusal, as test -x gives: the reason (most often "Permission denied") is named.
            var reason = Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
            return [PreflightResult.Failed(
                Title,
                $"{script} is not executable by this user ({reason})",
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

    [LibraryImport("libc", EntryPoint = "access", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Access(string path, int mode);
}
