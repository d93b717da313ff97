using CliWrap;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using RunnerTokens.Shared;

namespace RunnerTokens.Systemd.Tests.Commands;

/// <summary>A command's time limit bounds the whole wait, also when its end is never seen.</summary>
public sealed class CommandRunnerTests
{
    private static readonly TimeSpan _limit = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan _grace = TimeSpan.FromMilliseconds(500);

    // Far beyond what any of these should take; reached only when a wait is not bounded, so the test fails rather than hangs.
    private static readonly TimeSpan _hung = TimeSpan.FromSeconds(60);

    private readonly FakeLogger<CommandRunner> _logger = new();

    [Fact]
    public async Task RunAsync_CommandExits_ItsCodeAndOutput()
    {
        var outcome = await Runner().RunAsync(Shell("echo one; echo two >&2; exit 3"), _hung, new SecretMasker(), CancellationToken.None).WaitAsync(_hung);

        Assert.Equal(3, outcome.ExitCode);
        Assert.Equal("one\ntwo", outcome.Output.Replace("two\none", "one\ntwo", StringComparison.Ordinal));
        Assert.Null(outcome.TimedOutAfter);
        Assert.Null(outcome.AbandonedAfter);
    }

    [Fact]
    public async Task RunAsync_CommandHangs_KilledAtItsLimitAndSeenToEnd()
    {
        var outcome = await Runner().RunAsync(Shell("echo started; exec sleep 60"), _limit, new SecretMasker(), CancellationToken.None).WaitAsync(_hung);

        Assert.Equal(_limit, outcome.TimedOutAfter);
        Assert.Null(outcome.AbandonedAfter);
        Assert.Contains("did not finish within 0.3 s and was killed: started", outcome.Describe(), StringComparison.Ordinal);
        Assert.DoesNotContain(_logger.Collector.GetSnapshot(), r => r.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task RunAsync_KilledCommandNeverSeenToEnd_LeftBehindAfterTheGraceWithAWarning()
    {
        // arrange: a command whose end the runtime never reports (a lost SIGCHLD): killing it ends nothing
        var never = new TaskCompletionSource<CommandResult>();
        var sut = Runner(execute: (_, _) => new CommandTask<CommandResult>(never.Task, processId: 4242));

        // act
        var outcome = await sut.RunAsync(Shell("exit 0"), _limit, new SecretMasker(), CancellationToken.None).WaitAsync(_hung);

        // assert: reported as the time limit running out, with what was left behind
        Assert.Equal(_limit, outcome.TimedOutAfter);
        Assert.Equal(_grace, outcome.AbandonedAfter);
        Assert.False(outcome.Succeeded);
        Assert.Contains("did not finish within 0.3 s and was killed, but its end was not seen within 0.5 s more; left behind (process 4242)", outcome.Describe(), StringComparison.Ordinal);
        var warning = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Equal("sh (process 4242) was killed, but its end was not seen within 500 ms; it is left behind and the check goes on", warning.Message);
        Assert.Equal(0, sut.Running);
    }

    [Fact]
    public async Task RunAsync_StoppedWhileACommandNeverSeenToEndRuns_StopsAfterTheGrace()
    {
        var never = new TaskCompletionSource<CommandResult>();
        var sut = Runner(execute: (_, _) => new CommandTask<CommandResult>(never.Task, processId: 4242));
        using var stop = new CancellationTokenSource();

        var running = sut.RunAsync(Shell("exit 0"), _hung, new SecretMasker(), stop.Token);
        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(_hung));
        Assert.Single(_logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
    }

    private static CommandSpec Shell(string script) => new("/bin/sh", ["-c", script], CommandSpec.NoEnvironment, []) { Summary = "sh" };

    private CommandRunner Runner(Func<Command, CancellationToken, CommandTask<CommandResult>>? execute = null) =>
        new(
            Microsoft.Extensions.Options.Options.Create(new SystemdOptions()),
            TimeProvider.System,
            new WaitProgress(TimeProvider.System, NullLogger<WaitProgress>.Instance),
            _logger)
        {
            KillGrace = _grace,
            Execute = execute ?? ((command, token) => command.ExecuteAsync(token)),
        };
}
