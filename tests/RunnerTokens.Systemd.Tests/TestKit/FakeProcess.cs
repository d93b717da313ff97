using System.Diagnostics;
using RunnerTokens.TestKit.Runner;

namespace RunnerTokens.Systemd.Tests.TestKit;

/// <summary>Runs a fake program of a machine as a real process, with the machine's PATH and chosen variables.</summary>
internal static class FakeProcess
{
    public static async Task<(int ExitCode, string Output)> RunAsync(
        FakeRunnerMachine machine, string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(program.Contains('/', StringComparison.Ordinal) ? program : Path.Combine(machine.BinDirectory, program))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = machine.Runner.Path,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Only what a test sets reaches the fakes: never the machine's own runner options or tokens.
        foreach (var name in start.Environment.Keys.Where(IsControlled).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["PATH"] = machine.PathVariable;
        start.Environment["RUNNER_ALLOW_RUNASROOT"] =
            Environment.IsPrivilegedProcess && !File.Exists(Path.Combine(machine.Runner.ConfigSh.ControlDirectory, "uid")) ? "1" : null;
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    /// <summary>Runs the machine's config.sh with the token in <c>ACTIONS_RUNNER_INPUT_TOKEN</c>, as RunnerTokens does.</summary>
    public static Task<(int ExitCode, string Output)> ConfigShAsync(FakeRunnerMachine machine, string? token, params string[] arguments) =>
        RunAsync(machine, machine.Runner.ConfigSh.ScriptPath, arguments, token is null ? null : new Dictionary<string, string?> { ["ACTIONS_RUNNER_INPUT_TOKEN"] = token });

    /// <summary>Configure's usual command line for a runner of <c>my-org</c>.</summary>
    public static string[] Configure(string name, params string[] more) =>
        ["--unattended", "--url", "https://github.com/my-org", "--name", name, .. more];

    private static bool IsControlled(string name) =>
        name.StartsWith("ACTIONS_RUNNER_INPUT_", StringComparison.OrdinalIgnoreCase)
        || name is "GITHUB_TOKEN" or "GH_TOKEN" or "GITHUB_ACTIONS_RUNNER_HTTPTRACE" or "RUNNER_ALLOW_RUNASROOT"
            or "JAVA_HOME" or "ANT_HOME" or "M2_HOME" or "ANDROID_HOME" or "ANDROID_SDK_ROOT" or "GRADLE_HOME" or "NVM_BIN" or "NVM_PATH" or "LD_LIBRARY_PATH" or "PERL5LIB";
}
