using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace ContainerRunner;

/// <summary>
/// Runs the <c>docker</c> client: arguments as a list (no shell), a time limit and the caller's cancellation (the
/// client is killed), no standard input. The registration token, when given, goes only into the client's environment
/// as <see cref="RunnerTokenVariable"/>, for <c>-e RUNNER_TOKEN</c> without a value to pass on: never on its command
/// line, where any local user could read it (<c>ps</c>).
/// </summary>
internal sealed partial class DockerCli(IOptions<ContainerOptions> options, ILogger<DockerCli> logger)
{
    public const string RunnerTokenVariable = "RUNNER_TOKEN";

    // Docker needs no GitHub credential, nor a token this process may have inherited.
    private static readonly string[] KeptFromDocker = ["GITHUB_TOKEN", "GH_TOKEN", RunnerTokenVariable];

    /// <summary>Runs <c>docker <paramref name="arguments"/></c> to its end; a failed command is a result, not an exception.</summary>
    /// <exception cref="RunnerReconfigurationException">The client could not be started, or did not end within <paramref name="timeout"/>.</exception>
    public async Task<DockerResult> RunAsync(IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken, string? registrationToken = null)
    {
        var docker = options.Value.Docker;
        var start = new ProcessStartInfo(docker)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in KeptFromDocker)
        {
            start.Environment.Remove(name);
        }

        if (registrationToken is not null)
        {
            start.Environment[RunnerTokenVariable] = registrationToken;
        }

        var shown = $"docker {string.Join(' ', arguments)}";
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception($"{docker} did not start");
        }
        catch (Win32Exception ex)
        {
            throw new RunnerReconfigurationException($"{shown}: cannot start {docker}: {ex.Message} (Container:Docker)", RefreshFailureKind.Permanent, ex);
        }

        using (process)
        {
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            var started = Stopwatch.GetTimestamp();
            try
            {
                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // It ended meanwhile.
                }

                cancellationToken.ThrowIfCancellationRequested();
                throw new RunnerReconfigurationException($"{shown} did not end within {timeout.TotalSeconds:0} s; it was killed", RefreshFailureKind.Transient);
            }

            var result = new DockerResult(shown, process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
            Ran(logger, shown, result.ExitCode, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return result;
        }
    }

    [LoggerMessage(1, LogLevel.Debug, "{Command} exited with {ExitCode} after {Milliseconds} ms")]
    private static partial void Ran(ILogger logger, string command, int exitCode, long milliseconds);
}

/// <summary>How one <c>docker</c> command ended.</summary>
/// <param name="Command">The command as run (no secret is ever on it).</param>
/// <param name="ExitCode">Its exit code.</param>
/// <param name="Output">Its standard output.</param>
/// <param name="Error">Its standard error.</param>
internal sealed record DockerResult(string Command, int ExitCode, string Output, string Error)
{
    /// <summary>Gets a value indicating whether the command succeeded.</summary>
    public bool Succeeded => ExitCode == 0;

    /// <summary>The failure in one line, with the client's own error text.</summary>
    public string Describe() => $"{Command} exited with {ExitCode}: {(Error.Trim() is { Length: > 0 } text ? text : Output.Trim())}";
}
