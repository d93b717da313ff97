using RunnerTokens.TestKit.GitHub;

namespace RunnerTokens.TestKit.Runner;

/// <summary>
/// A throwaway machine in a temp folder: a runner directory with a fake <c>config.sh</c>, a folder of fake programs
/// (<c>systemctl</c>, <c>sudo</c>, <c>pkcheck</c>) to put first on a child process's <see cref="PathVariable"/>, and a state folder,
/// wired to a fake GitHub API. The layout's runner is registered on that API as the directory says (same id, name,
/// group, custom labels and flags, same key), and its unit is installed with the runner directory and active. Nothing
/// touches the test process's own environment.
/// </summary>
public sealed class FakeRunnerMachine : IDisposable
{
    private readonly TempDirectory _root;

    /// <summary>Lays out the machine and registers its runner on <paramref name="gitHub"/>.</summary>
    /// <param name="gitHub">The fake GitHub API that config.sh and the emulated listener talk to.</param>
    /// <param name="layout">What the runner directory holds; a registered service runner of <c>my-org</c> by default.</param>
    /// <param name="userUnit">Whether the unit is a <c>systemctl --user</c> unit.</param>
    public FakeRunnerMachine(FakeGitHubApi gitHub, RunnerLayout? layout = null, bool userUnit = false)
    {
        ArgumentNullException.ThrowIfNull(gitHub);
        GitHub = gitHub;
        var chosen = layout ?? new RunnerLayout();
        var scope = FakeGitHubApi.ScopeOfUrl(chosen.GitHubUrl)
            ?? throw new ArgumentException($"'{chosen.GitHubUrl}' names no organisation, repository or enterprise", nameof(layout));
        ScopePath = scope;
        if (chosen.Configured && !string.Equals(chosen.PoolName, "Default", StringComparison.OrdinalIgnoreCase))
        {
            chosen = chosen with { PoolId = gitHub.AddRunnerGroup(scope, chosen.PoolName) };
        }

        _root = new TempDirectory("runnertokens-machine");
        BinDirectory = _root.Combine("bin");
        StateDirectory = _root.Combine("state", chosen.Name);
        SequenceLog = _root.Combine("sequence.log");
        Runner = FakeRunnerDirectory.Create(_root.Combine("actions-runner"), _root.Combine("fake-config"), chosen, SequenceLog);
        Runner.ConfigSh.UseApi(gitHub.BaseUrl);
        Systemctl = FakeSystemctl.Create(BinDirectory, _root.Combine("fake-systemctl"), SequenceLog);
        Systemctl.UseApi(gitHub.BaseUrl);
        Sudo = FakeSudo.Create(BinDirectory, _root.Combine("fake-sudo"));
        Pkcheck = FakePkcheck.Create(BinDirectory, _root.Combine("fake-pkcheck"));
        gitHub.AddScope(scope);
        if (chosen.Configured)
        {
            var runner = gitHub.AddRunner(scope, chosen.AgentId, chosen.Name);
            runner.RunnerGroupId = chosen.PoolId;
            runner.Labels.AddRange(chosen.Labels);
            runner.DefaultLabels = !chosen.NoDefaultLabels;
            runner.Ephemeral = chosen.Ephemeral;
            runner.DisableUpdate = chosen.DisableUpdate;
            runner.PublicKeyModulus = Runner.ReadKeyModulus();
        }

        if (chosen.Unit is { } unit)
        {
            Systemctl.Install(unit, active: true, user: userUnit, runnerDirectory: Runner.Path);
        }
    }

    /// <summary>Gets the fake GitHub API the machine talks to.</summary>
    public FakeGitHubApi GitHub { get; }

    /// <summary>Gets the scope the layout's runner is registered in (<c>orgs/my-org</c>).</summary>
    public string ScopePath { get; }

    /// <summary>Gets the root temp folder.</summary>
    public string RootPath => _root.Path;

    /// <summary>Gets the runner directory.</summary>
    public FakeRunnerDirectory Runner { get; }

    /// <summary>Gets the fake systemctl.</summary>
    public FakeSystemctl Systemctl { get; }

    /// <summary>Gets the fake sudo.</summary>
    public FakeSudo Sudo { get; }

    /// <summary>Gets the fake pkcheck (polkit).</summary>
    public FakePkcheck Pkcheck { get; }

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

    /// <summary>Gets the runner GitHub lists under the layout's name in <see cref="ScopePath"/>, or null.</summary>
    public FakeRunner? RegisteredRunner => GitHub.FindRunner(ScopePath, Runner.Layout.Name);

    /// <summary>Sets the host name config.sh sees (<c>build1.example.com</c>); without <c>--name</c> the runner is named after it, cut at the first dot.</summary>
    public void SetMachineName(string machineName) => Runner.ConfigSh.SetMachineName(machineName);

    /// <summary>Deletes the machine's folders (the fake GitHub API is the caller's to dispose).</summary>
    public void Dispose() => _root.Dispose();
}
