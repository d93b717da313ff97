using System.Text;
using CliWrap;
using CliWrap.Buffered;
using RunnerTokens.TestKit;

namespace RunnerTokens.Host.Tests.Logging;

/// <summary>
/// A process systemd starts logs in the journal's format even when its output does not go to the journal
/// (<c>JOURNAL_STREAM</c> unset): as <c>SystemdHelpers.IsSystemdService()</c> decides, by its parent's name.
/// </summary>
public sealed class StartedBySystemdTests : IDisposable
{
    private readonly TempDirectory _temp = new("started-by-systemd");

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("systemd", "<6>sample-runner: source=")]
    [InlineData("cron", " info  sample-runner: source=")]
    public async Task DryRun_ParentProcessName_ChoosesTheLineFormat(string parentName, string expected)
    {
        // A parent process of that name (a script's process is named after its file), which waits for the command.
        var parent = _temp.Combine(parentName);
        File.WriteAllText(parent, "#!/bin/sh\n\"$@\"\nexit $?\n");
        File.SetUnixFileMode(parent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var command = HostProcess.Command(["--check-and-refresh", "--dry-run", "--runner-dir", "samples/actions-runner"]);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var result = await Cli.Wrap(parent)
            .WithArguments(Quote(command.TargetFilePath) + " " + command.Arguments)
            .WithEnvironmentVariables(command.EnvironmentVariables)
            .WithWorkingDirectory(command.WorkingDirPath)
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(Encoding.UTF8, timeout.Token);

        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        Assert.Contains(expected, result.StandardOutput, StringComparison.Ordinal);
    }

    private static string Quote(string path) => "\"" + path + "\"";
}
