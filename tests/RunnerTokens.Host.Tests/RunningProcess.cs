using System.Diagnostics;
using System.Text;
using CliWrap;

namespace RunnerTokens.Host.Tests;

/// <summary>A started process whose output is collected as it comes, and which can be sent a Unix signal.</summary>
internal sealed class RunningProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private readonly CancellationTokenSource _kill = new();
    private readonly CommandTask<CommandResult> _task;

    private RunningProcess(Command command)
    {
        _task = command
            .WithStandardOutputPipe(PipeTarget.ToDelegate(Append))
            .WithStandardErrorPipe(PipeTarget.ToDelegate(Append))
            .ExecuteAsync(_kill.Token);
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Gets the id of the started process.</summary>
    public int ProcessId => _task.ProcessId;

    public static RunningProcess Start(Command command) => new(command);

    /// <summary>Waits until the output contains <paramref name="text"/>; fails with the output so far when it does not come.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            Assert.False(_task.Task.IsCompleted, $"The process ended before printing '{text}'. Output:\n{Output}");
            Assert.True(deadline.Elapsed < (timeout ?? TimeSpan.FromSeconds(30)), $"No '{text}' in the output:\n{Output}");
            await Task.Delay(50);
        }
    }

    /// <summary>Waits until <paramref name="text"/> appears once more than it has so far (the next check's line, say).</summary>
    public async Task WaitForAnotherAsync(string text, TimeSpan? timeout = null)
    {
        var seen = Count(Output, text);
        var deadline = Stopwatch.StartNew();
        while (Count(Output, text) <= seen)
        {
            Assert.False(_task.Task.IsCompleted, $"The process ended before printing '{text}' again. Output:\n{Output}");
            Assert.True(deadline.Elapsed < (timeout ?? TimeSpan.FromSeconds(30)), $"No further '{text}' in the output:\n{Output}");
            await Task.Delay(50);
        }

        static int Count(string output, string value)
        {
            var count = 0;
            for (var at = output.IndexOf(value, StringComparison.Ordinal); at >= 0; at = output.IndexOf(value, at + value.Length, StringComparison.Ordinal))
            {
                count++;
            }

            return count;
        }
    }

    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _task.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
    }

    /// <summary>Signals the child of the started process (when a wrapper shell started the command).</summary>
    public async Task SignalChildAsync(string signal)
    {
        var pid = _task.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var children = (await File.ReadAllTextAsync($"/proc/{pid}/task/{pid}/children")).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        using var kill = Process.Start("kill", ["-" + signal, Assert.Single(children)])!;
        await kill.WaitForExitAsync();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout) => (await _task.Task.WaitAsync(timeout)).ExitCode;

    public async ValueTask DisposeAsync()
    {
        await _kill.CancelAsync();
        try
        {
            await _task.Task;
        }
        catch (OperationCanceledException)
        {
        }

        _kill.Dispose();
    }

    private void Append(string line)
    {
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
