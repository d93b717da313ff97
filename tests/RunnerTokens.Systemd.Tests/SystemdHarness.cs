using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
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
        Func<RunnerContext, RunnerContext>? shapeRunner = null,
        IReadOnlyList<IRunnerLabelSource>? labelSources = null)
    {
        Api = FakeGitHubApi.StartAsync(Time).GetAwaiter().GetResult();
        Machine = new FakeRunnerMachine(Api, layout, userUnit);
        var runner = new RunnerContext(Machine.Runner.Layout.Name, Machine.Runner.Path, "https://github.com/my-org", Machine.StateDirectory)
        {
            Labels = ["linux", "gpu"],
        };
        Runner = shapeRunner?.Invoke(runner) ?? runner;
        RegistrationToken = Api.IssueToken(FakeGitHubApi.RegistrationKind, Runner.Scope.ApiPath);
        RemoveToken = Api.IssueToken(FakeGitHubApi.RemoveKind, Runner.Scope.ApiPath);
        Issuer = Substitute.For<ITokenIssuer>();
        Issuer.CreateRemoveTokenAsync(Arg.Any<RunnerScope>(), Arg.Any<CancellationToken>())
            .Returns(new RegistrationToken(RemoveToken, Time.GetUtcNow().AddHours(1)));

        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton(Issuer);
        foreach (var source in labelSources ?? [])
        {
            services.AddSingleton(source);
        }

        services.AddRunnerTokenRefresh().AddSystemdReconfigurer(options =>
        {
            options.Environment["PATH"] = Machine.PathVariable;
            options.AllowRunAsRoot = true;
            options.UserUnits = userUnit;
            configure?.Invoke(options);
        });
        _provider = services.BuildServiceProvider();
    }

    /// <summary>Gets the fake GitHub API the machine's config.sh and listener talk to.</summary>
    public FakeGitHubApi Api { get; }

    /// <summary>Gets a registration token the fake GitHub issued for the runner's scope, valid for an hour of <see cref="Time"/>.</summary>
    public string RegistrationToken { get; }

    /// <summary>Gets a remove token the fake GitHub issued for the runner's scope, which the issuer hands out.</summary>
    public string RemoveToken { get; }

    public FakeRunnerMachine Machine { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    public ITokenIssuer Issuer { get; }

    public RunnerContext Runner { get; }

    public IRunnerReconfigurer Reconfigurer => _provider.GetRequiredService<IRunnerReconfigurer>();

    public IRefreshRecovery Recovery => _provider.GetServices<IRefreshRecovery>().Single();

    public FakeLogCollector Logs => _provider.GetRequiredService<FakeLogCollector>();

    public T Get<T>()
        where T : notnull => _provider.GetRequiredService<T>();

    public string Unit => Machine.Runner.Layout.Unit!;

    public string JournalPath => Path.Combine(Runner.StateDirectory, ReconfigurationJournal.JournalFileName);

    public string BackupPath => Path.Combine(Runner.StateDirectory, ReconfigurationJournal.BackupFolderName);

    public Task ReconfigureAsync(CancellationToken cancellationToken = default) =>
        Reconfigurer.ReconfigureAsync(Runner, new RegistrationToken(RegistrationToken, Time.GetUtcNow().AddHours(1)), cancellationToken);

    /// <summary>Everything a user or an attacker could read afterwards: log records, argv records, the exception.</summary>
    public string EverythingVisible(Exception? exception = null) =>
        string.Join(
            '\n',
            Logs.GetSnapshot().Select(r => r.Message + " " + r.Exception),
            Machine.Runner.ConfigSh.RawRecord,
            string.Join('\n', Machine.Systemctl.Calls),
            string.Join('\n', Machine.Sudo.Calls),
            exception?.ToString() ?? string.Empty);

    public void Dispose()
    {
        _provider.Dispose();
        Machine.Dispose();
        Api.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
