using System.Net.Sockets;
using System.Text;
using RunnerTokens.TestKit;

namespace RunnerTokens.Host.Tests;

/// <summary>
/// The daemon as systemd runs it: .NET's systemd integration turns on when the parent process is called
/// <c>systemd</c>, so the command is started by a shell named so, with a NOTIFY_SOCKET the test listens on.
/// </summary>
public sealed class SystemdNotifyTests : IDisposable
{
    private readonly TempDirectory _temp = new("notify");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Daemon_UnderSystemd_NotifiesReadyStatusThenStoppingAndLogsInJournalFormat()
    {
        var socketPath = _temp.Combine("notify.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        var systemd = _temp.Combine("systemd");
        File.CreateSymbolicLink(systemd, "/bin/sh");
        string[] arguments = ["--daemon", "--dry-run", "--runner-dir", "samples/actions-runner", "--interval", "3600"];
        var command = HostProcess.Command(arguments, new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = socketPath })
            .WithTargetFile(systemd)
            .WithArguments(["-c", "dotnet \"$@\"; exit $?", "systemd", HostProcess.DllPath, .. arguments]);
        await using var daemon = RunningProcess.Start(command);

        var ready = await ReceiveAsync(socket);
        var status = await ReceiveAsync(socket);
        await daemon.WaitForOutputAsync("sample-runner: source=");
        await daemon.SignalChildAsync("TERM");
        var stopping = await ReceiveAsync(socket);

        Assert.Equal("READY=1", ready);
        Assert.Matches(@"^STATUS=last check \d\d:\d\d:\d\dZ: 1 runner ok, 0 refreshed, 0 failed; next in 1 h$", status);
        Assert.Equal("STOPPING=1", stopping);
        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        // The journal stamps each line: priority, runner and message only; no category below Debug.
        Assert.Contains("<6>sample-runner: source=", daemon.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("RunnerTokens.Refresh.RefreshEngine", daemon.Output, StringComparison.Ordinal);
    }

    private static async Task<string> ReceiveAsync(Socket socket)
    {
        var buffer = new byte[1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var length = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, length).Trim();
    }
}
