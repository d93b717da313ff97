using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using RunnerTokens.Shared;
using RunnerTokens.TestKit.GitHub;
using RunnerTokens.TestKit.Runner;

namespace RunnerTokens.Systemd.Tests;

/// <summary>
/// The reconfigurer and recovery as the host builds them (AddSystemdReconfigurer), over a fake machine and a fake
/// GitHub API (on the harness's clock), with fake logs and clock. The tokens are ones the fake GitHub issued.
/// </summary>
internal sealed class SystemdHarness : IDisposable
{
    private readonly ServiceProvider _provider;

    public SystemdHarness(
        RunnerLayout? layout = null,
        Action<SystemdOptions>? configure = null,
        bool userUnit = false,
        Func<RunnerRegistration, RunnerRegistration>? shapeRegistration = null,
        bool withIssuer = true,
        ProcessIdentity? identity = null,
        System.IO.Abstractions.IFileSystem? fileSystem = null)
    {
        Api = FakeGitHubApi.StartAsync(Time).GetAwaiter().GetResult();
        Machine = new FakeRunnerMachine(Api, layout, userUnit);
        RegistrationToken = Api.IssueToken(FakeGitHubApi.RegistrationKind, Machine.ScopePath);
        RemoveToken = Api.IssueToken(FakeGitHubApi.RemoveKind, Machine.ScopePath);
        InitialKeyModulus = Machine.Runner.ReadKeyModulus();
        Issuer = Substitute.For<ITokenIssuer>();
        Issuer.CreateRemoveTokenAsync(Arg.Any<RunnerScope>(), Arg.Any<CancellationToken>())
            .Returns(new RegistrationToken(RemoveToken, Time.GetUtcNow().AddHours(1)));

        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        services.AddSingleton<TimeProvider>(Time);
        if (withIssuer)
        {
            services.AddSingleton(Issuer);
        }

        if (identity is not null)
        {
            services.AddSingleton(identity);
        }

        if (fileSystem is not null)
        {
            services.AddSingleton(fileSystem);
        }

        services.AddRunnerTokenRefresh().AddSystemdReconfigurer(options =>
        {
            options.Environment["PATH"] = Machine.PathVariable;
            options.AllowRunAsRoot = true;
            options.UserUnits = userUnit;
            configure?.Invoke(options);
        });
        _provider = services.BuildServiceProvider();

        var laidOut = Machine.Runner.Layout;
        Runner = new RunnerContext(laidOut.Name, Machine.Runner.Path, laidOut.GitHubUrl, Machine.StateDirectory);
        var registration = new RunnerRegistration
        {
            Name = laidOut.Name,
            Url = laidOut.GitHubUrl,
            Id = laidOut.AgentId,
            RunnerGroup = laidOut.PoolName,
            WorkFolder = laidOut.WorkFolder,
            Labels = ["linux", "gpu"],
            LabelsKnown = true,
            Ephemeral = laidOut.Ephemeral,
            Origins = ["labels linux,gpu: GitHub's listing", "runner group Default: .runner"],
        };
        Registration = shapeRegistration?.Invoke(registration) ?? registration;
    }

    /// <summary>Gets the fake GitHub API the machine's config.sh and listener talk to.</summary>
    public FakeGitHubApi Api { get; }

    /// <summary>Gets a registration token the fake GitHub issued for the runner's scope.</summary>
    public string RegistrationToken { get; }

    /// <summary>Gets a remove token the fake GitHub issued for the runner's scope, which the issuer hands out.</summary>
    public string RemoveToken { get; }

    public FakeRunnerMachine Machine { get; }

    /// <summary>Gets the modulus of the key the runner had before anything ran: a new registration has another.</summary>
    public string? InitialKeyModulus { get; }

    /// <summary>Gets the runner GitHub lists under <paramref name="name"/> in the machine's scope, or null.</summary>
    public FakeRunner? Listed(string name = "runner-1") => Api.FindRunner(Machine.ScopePath, name);

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    /// <summary>Gets a rollback limit that <see cref="DriveClockUntilDoneAsync"/> cannot reach with steps of up to 1 s.</summary>
    public static TimeSpan DrivenClockRollbackTimeout => TimeSpan.FromHours(1);

    public ITokenIssuer Issuer { get; }

    public RunnerContext Runner { get; }

    public RunnerRegistration Registration { get; }

    public IRunnerReconfigurer Reconfigurer => _provider.GetRequiredService<IRunnerReconfigurer>();

    public IRefreshRecovery Recovery => _provider.GetServices<IRefreshRecovery>().Single();

    public FakeLogCollector Logs => _provider.GetRequiredService<FakeLogCollector>();

    public string Unit => Machine.Runner.Layout.Unit!;

    public string JournalPath => Path.Combine(Runner.StateDirectory, ReconfigurationJournal.JournalFileName);

    public string BackupPath => Path.Combine(Runner.StateDirectory, ReconfigurationJournal.BackupFolderName);

    public T Get<T>()
        where T : notnull => _provider.GetRequiredService<T>();

    public Task ReconfigureAsync(CancellationToken cancellationToken = default) =>
        Reconfigurer.ReconfigureAsync(Runner, Registration, new RegistrationToken(RegistrationToken, Time.GetUtcNow().AddHours(1)), cancellationToken);

    /// <summary>A run of the sequence as the reconfigurer starts one, for driving the steps one by one.</summary>
    public ReconfigurationRun NewRun() => new()
    {
        Runner = Runner,
        Registration = Registration,
        Masker = new SecretMasker(),
        RegistrationToken = RegistrationToken,
        UnitOrigin = "test",
        Previous = RunnerSettingsFile.Read(new System.IO.Abstractions.FileSystem(), Runner.Directory).Settings,
        Journal = new JournalEntry { Runner = Runner.Name, Name = Registration.Name, Unit = Machine.Runner.Layout.Unit },
    };

    /// <summary>Everything a user or an attacker could read afterwards: log records, argv records, the exception.</summary>
    public string EverythingVisible(Exception? exception = null) =>
        string.Join(
            '\n',
            Logs.GetSnapshot().Select(r => r.Message + " " + r.Exception),
            Machine.Runner.ConfigSh.RawRecord,
            string.Join('\n', Machine.Systemctl.Calls),
            string.Join('\n', Machine.Sudo.Calls),
            exception?.ToString() ?? string.Empty);

    /// <summary>
    /// Advances the fake clock by <paramref name="step"/> until <paramref name="task"/> ends (2000 steps or 2 minutes at most), while
    /// no command runs: a real process takes no time on the fake clock, however long a loaded machine takes to start
    /// it, so only the waits between commands (polls, limits on a state) run out. A test that drives it still sets a
    /// <see cref="SystemdOptions.RollbackTimeout"/> beyond 2000 steps (<see cref="DrivenClockRollbackTimeout"/>):
    /// the rollback's limit also counts the file work between commands. With <paramref name="duringCommands"/> the
    /// clock also moves while a command runs (a state that changes in real time, such as a unit deactivating for 2 s,
    /// is then seen many steps later); such a test sets every command's limit beyond 2000 steps.
    /// </summary>
    public async Task DriveClockUntilDoneAsync(Task task, TimeSpan step, bool duringCommands = false)
    {
        var commands = Get<CommandRunner>();
        var wall = Stopwatch.StartNew();
        for (var i = 0; i < 2000 && !task.IsCompleted && wall.Elapsed < TimeSpan.FromMinutes(2);)
        {
            if (duringCommands || commands.Running == 0)
            {
                Time.Advance(step);
                i++;
            }

            await Task.WhenAny(task, Task.Delay(5));
        }
    }

    public void Dispose()
    {
        _provider.Dispose();
        Machine.Dispose();
        Api.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Reads <c>.path</c>, <c>.env</c> and <c>svc.sh</c> that exist, byte for byte.</summary>
    public IReadOnlyDictionary<string, byte[]> ServiceEnvironment() =>
        RunnerFiles.ServiceEnvironment.Where(name => File.Exists(Machine.Runner.File(name)))
            .ToDictionary(name => name, name => File.ReadAllBytes(Machine.Runner.File(name)));

    /// <summary>Writes <c>svc.sh</c> as <c>svc.sh install</c> left it (the fake layout has none), executable.</summary>
    public void InstallServiceScript()
    {
        File.WriteAllText(Machine.Runner.File("svc.sh"), $"#!/bin/bash\n# svc.sh as installed\nSVC_NAME=\"{Unit}\"\n");
        File.SetUnixFileMode(Machine.Runner.File("svc.sh"), (UnixFileMode)0b111_101_101);
    }

    /// <summary>Makes the unit start with no listener log at all, as a listener that never comes up (the unit stays active).</summary>
    public void ListenerStaysSilent(bool userUnit = false) =>
        Machine.Systemctl.Install(Unit, active: Machine.Systemctl.State(Unit, userUnit) == "active", user: userUnit, runnerDirectory: Path.Combine(Machine.RootPath, "no-such-runner"));

    /// <summary>
    /// Puts a wrapper in place of config.sh, as a broken runner install: <c>remove</c> runs the fake, configure prints
    /// success and exits 0 without registering anything.
    /// </summary>
    public void ConfigureExitsZeroWithoutRegistering(string writes = "")
    {
        var script = Machine.Runner.ConfigSh.ScriptPath;
        File.Move(script, Machine.Runner.File("config.real.sh"));
        File.WriteAllText(script, "#!/bin/bash\nif [ \"${1:-}\" = remove ]; then exec \"$(dirname \"$0\")/config.real.sh\" \"$@\"; fi\n" + writes + "echo '√ Settings Saved.'\nexit 0\n");
        File.SetUnixFileMode(script, (UnixFileMode)0b111_101_101);
    }

    /// <summary>
    /// As <see cref="ConfigureExitsZeroWithoutRegistering"/>, but configure leaves a <c>.runner</c> naming the runner
    /// beside an empty <c>.credentials</c> and a key without a modulus: files that exist, and a registration that cannot work.
    /// </summary>
    public void ConfigureExitsZeroWithBrokenRegistration() => ConfigureExitsZeroWithoutRegistering(
        $"cd \"$(dirname \"$0\")\"\nprintf '{{\"agentId\": 42, \"agentName\": \"{Machine.Runner.Layout.Name}\", \"gitHubUrl\": \"{Machine.Runner.Layout.GitHubUrl}\"}}' > .runner\n: > .credentials\necho '{{}}' > .credentials_rsaparams\n");

    /// <summary>
    /// Puts a hook before every systemctl command (<see cref="SystemdOptions.SystemctlPrefix"/>) that deletes the runner
    /// on the fake GitHub right before each <c>start</c>, as an admin might: the listener is then refused ("The runner
    /// registration has been deleted from the server") and its unit ends inactive.
    /// </summary>
    public void DeleteRunnerOnGitHubAtEachStart()
    {
        var tokenFile = Path.Combine(Machine.RootPath, "hook-token");
        File.WriteAllText(tokenFile, RemoveToken);
        var hook = Path.Combine(Machine.RootPath, "delete-before-start");
        File.WriteAllText(hook, $$"""
            #!/bin/bash
            for a in "$@"; do
              if [ "$a" = start ]; then
                printf 'Authorization: RemoteAuth %s\n' "$(cat '{{tokenFile}}')" | curl -s -o /dev/null -X DELETE -H @- '{{Api.BaseUrl}}{{Machine.ScopePath}}/actions/runners/{{Machine.Runner.Layout.AgentId}}'
              fi
            done
            exec "$@"
            """.Replace("\r\n", "\n", StringComparison.Ordinal));
        File.SetUnixFileMode(hook, (UnixFileMode)0b111_101_101);
        Get<Microsoft.Extensions.Options.IOptions<SystemdOptions>>().Value.SystemctlPrefix = hook;
    }
}
