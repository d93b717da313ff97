using System.Diagnostics;

namespace RunnerTokens.Systemd.Tests.Preflight;

public sealed class ProcessIdentityTests
{
    [Fact]
    public async Task Parse_StatusOfAProcessUnderNoNewPrivileges_SeesTheFlag()
    {
        var status = await RunAsync("setpriv", "--no-new-privs", "--", "cat", "/proc/self/status");

        var identity = ProcessIdentity.Parse(isRoot: false, processId: 1, status, stat: null);

        Assert.True(identity.NoNewPrivileges);
    }

    [Fact]
    public async Task Parse_StatusOfAPlainProcess_NoFlag()
    {
        var status = await RunAsync("cat", "/proc/self/status");

        Assert.False(ProcessIdentity.Parse(isRoot: false, processId: 1, status, stat: null).NoNewPrivileges);
    }

    [Fact]
    public void Parse_CommandNameWithSpacesAndParentheses_FindsTheStartTime()
    {
        var stat = "4242 (a (b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 123456 78 ...";

        var identity = ProcessIdentity.Parse(isRoot: false, processId: 4242, "Uid:\t1001\t1001\t1001\t1001\n", stat);

        Assert.Equal("4242,987654,1001", identity.PolkitProcess);
    }

    [Fact]
    public void Current_ThisProcess_NamesItsPidAndStartTimeAsProcSays()
    {
        var identity = ProcessIdentity.Current();

        var stat = File.ReadAllText($"/proc/{Environment.ProcessId}/stat");
        var start = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19];
        Assert.StartsWith($"{Environment.ProcessId},{start},", identity.PolkitProcess, StringComparison.Ordinal);
        Assert.Equal(Environment.IsPrivilegedProcess, identity.IsRoot);
    }

    private static async Task<string> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
        return output;
    }
}
