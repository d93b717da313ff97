namespace RunnerTokens.TestKit.Runner;

/// <summary>
/// A throwaway machine in a temp folder: a registered runner directory with a fake <c>config.sh</c>, a folder of
/// fake programs (<c>systemctl</c>, <c>sudo</c>) to put first on a child process's <see cref="PathVariable"/>, and a
/// state folder. The runner's unit is installed and active. Nothing touches the test process's own environment.
/// </summary>
public sealed class FakeRunnerMachine : IDisposable
{
    private readonly TempDirectory _root;

    public FakeRunnerMachine(RunnerLayout? layout = null, bool userUnit = false)
    {
        _root = new TempDirectory("runnertokens-machine");
        var chosen = layout ?? new RunnerLayout();
        BinDirectory = _root.Combine("bin");
        StateDirectory = _root.Combine("state", chosen.Name);
        SequenceLog = _root.Combine("sequence.log");
        Runner = FakeRunnerDirectory.Create(_root.Combine("actions-runner"), _root.Combine("fake-config"), chosen, SequenceLog);
        Systemctl = FakeSystemctl.Create(BinDirectory, _root.Combine("fake-systemctl"), SequenceLog);
        Sudo = FakeSudo.Create(BinDirectory, _root.Combine("fake-sudo"));
        if (chosen.Unit is { } unit)
        {
            Systemctl.Install(unit, active: true, user: userUnit, diagDirectory: Runner.DiagDirectory);
        }
    }

    /// <summary>Gets the root temp folder.</summary>
    public string RootPath => _root.Path;

    /// <summary>Gets the runner directory.</summary>
    public FakeRunnerDirectory Runner { get; }

    /// <summary>Gets the fake systemctl.</summary>
    public FakeSystemctl Systemctl { get; }

    /// <summary>Gets the fake sudo.</summary>
    public FakeSudo Sudo { get; }

    /// <summary>Gets the folder of fake programs.</summary>
    public string BinDirectory { get; }

    /// <summary>Gets a state folder for the runner (not created).</summary>
    public string StateDirectory { get; }

    /// <summary>Gets the file where config.sh and systemctl append each call, in the order they ran.</summary>
    public string SequenceLog { get; }

    /// <summary>Gets every config.sh and systemctl call so far, in order (<c>systemctl stop x.service</c>, <c>config.sh remove</c>).</summary>
    public IReadOnlyList<string> Sequence => ExecutableScript.ReadLines(SequenceLog);

    /// <summary>Gets a <c>PATH</c> with the fake programs first, for a child process's environment.</summary>
    public string PathVariable => BinDirectory + ":" + (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin");

    public void Dispose() => _root.Dispose();
}
