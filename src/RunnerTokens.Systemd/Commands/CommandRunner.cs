using System.ComponentModel;
using System.Diagnostics;
using CliWrap;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RunnerTokens.Systemd;

/// <summary>
/// Runs one command with CliWrap: a time limit, the caller's cancellation (the process tree is killed), empty standard
/// input, the output kept (its tail, secrets masked) for the error message, a "still waiting" line while it runs
/// long (<see cref="WaitProgress"/>). Never throws for a failed command. A killed command whose end is not seen within
/// <see cref="KillGrace"/> is left behind (a warning names its process), so no limit is ever waited past for good.
/// </summary>
internal sealed class CommandRunner(IOptions<SystemdOptions> options, TimeProvider timeProvider, WaitProgress progress, ILogger<CommandRunner> logger)
{
    private const int MaxOutputLines = 40;

    private int _running;

    /// <summary>Gets how many commands are running now (tests that drive a fake clock hold it still while one runs).</summary>
    internal int Running => Volatile.Read(ref _running);

    /// <summary>Gets how long a killed command (its time limit run out, or the caller stopping) may take to be seen ending before it is left behind; tests shorten it.</summary>
    internal TimeSpan KillGrace { get; init; } = GraceAfterStop.Default;

    /// <summary>Gets what starts the command; tests put in a command whose end is never seen.</summary>
    internal Func<Command, CancellationToken, CommandTask<CommandResult>> Execute { get; init; } = static (command, token) => command.ExecuteAsync(token);

    public async Task<CommandOutcome> RunAsync(CommandSpec spec, TimeSpan timeout, SecretMasker masker, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _running);
        try
        {
            return await RunCoreAsync(spec, timeout, masker, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    private async Task<CommandOutcome> RunCoreAsync(CommandSpec spec, TimeSpan timeout, SecretMasker masker, CancellationToken cancellationToken)
    {
        var shown = masker.Apply(spec.ToString());
        var environment = BuildEnvironment(spec);
        var program = ResolveProgram(spec.Program, environment.TryGetValue("PATH", out var path) ? path : null);
        var output = new OutputTail(MaxOutputLines);

        var command = Cli.Wrap(program)
            .WithArguments(spec.Arguments)
            .WithEnvironmentVariables(environment)
            .WithValidation(CommandResultValidation.None)
            .WithStandardInputPipe(PipeSource.Null)
            .WithStandardOutputPipe(PipeTarget.ToDelegate(output.Add))
            .WithStandardErrorPipe(PipeTarget.ToDelegate(output.Add));
        if (spec.WorkingDirectory is { } directory)
        {
            command = command.WithWorkingDirectory(directory);
        }

        using var timeoutSource = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        var started = Stopwatch.GetTimestamp();
        using var waiting = progress.Start(spec.Summary, timeout);
        CommandOutcome outcome;
        var processId = 0;
        try
        {
            var execution = Execute(command, linked.Token);
            processId = execution.ProcessId;
            var result = await GraceAfterStop.WaitAsync(execution.Task, linked.Token, KillGrace).ConfigureAwait(false);
            outcome = new CommandOutcome(shown, result.ExitCode, masker.Apply(output.Text));
        }
        catch (TimeoutException)
        {
            Log.CommandAbandoned(logger, spec.Summary, processId, LogText.Duration(KillGrace));
            cancellationToken.ThrowIfCancellationRequested();
            outcome = new CommandOutcome(shown, -1, masker.Apply(output.Text)) { TimedOutAfter = timeout, AbandonedAfter = KillGrace, ProcessId = processId };
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            outcome = new CommandOutcome(shown, -1, masker.Apply(output.Text)) { TimedOutAfter = timeout };
        }
        catch (Win32Exception ex)
        {
            outcome = new CommandOutcome(shown, -1, string.Empty) { StartError = $"{program}: {ex.Message}" };
        }
        catch (InvalidOperationException ex) when (!cancellationToken.IsCancellationRequested)
        {
            outcome = new CommandOutcome(shown, -1, string.Empty) { StartError = $"{program}: {ex.Message}" };
        }

        Log.CommandRan(logger, shown, outcome.ExitCode, LogText.Duration(Stopwatch.GetElapsedTime(started)));
        return outcome;
    }

    /// <summary>
    /// The command's whole environment: the allowed part of the refresher's (<see cref="InheritedEnvironment"/>), then
    /// <see cref="SystemdOptions.Environment"/>, then the command's own variables. Every other inherited variable is
    /// removed (a null value unsets it for the child).
    /// </summary>
    internal Dictionary<string, string?> BuildEnvironment(CommandSpec spec)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in InheritedEnvironment.Refused())
        {
            environment[name] = null;
        }

        foreach (var (name, value) in options.Value.Environment)
        {
            environment[name] = value;
        }

        foreach (var (name, value) in spec.Environment)
        {
            environment[name] = value;
        }

        return environment;
    }

    /// <summary>Looks a bare program name up on the PATH the command will get, which may differ from the refresher's.</summary>
    internal static string ResolveProgram(string program, string? pathVariable)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return program;
        }

        var path = pathVariable ?? System.Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var folder in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return program;
    }

    /// <summary>The last lines of stdout and stderr together, in arrival order; bounded so a chatty tool cannot fill memory.</summary>
    private sealed class OutputTail(int maxLines)
    {
        private readonly Queue<string> _lines = new();
        private readonly Lock _lock = new();

        public string Text
        {
            get
            {
                lock (_lock)
                {
                    return string.Join('\n', _lines);
                }
            }
        }

        public void Add(string line)
        {
            lock (_lock)
            {
                _lines.Enqueue(line);
                while (_lines.Count > maxLines)
                {
                    _lines.Dequeue();
                }
            }
        }
    }
}
