using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using RunnerTokens.Shared;
using RunnerTokens.TestKit.Runner;

namespace RunnerTokens.Systemd.Tests;

/// <summary>The reconfigurer and recovery as the host builds them (AddSystemdReconfigurer), over a fake machine, with fake logs and clock.</summary>
internal sealed class SystemdHarness : IDisposable
{
    public const string RegistrationToken = "AABBREGISTRATIONTOKEN0123456789";
    public const string RemoveToken = "AABBREMOVETOKEN9876543210";

    private readonly ServiceProvider _provider;

    public SystemdHarness(
        RunnerLayout? layout = null,
        Action<SystemdOptions>? configure = null,
        bool userUnit = false,
        Func<RunnerRegistration, RunnerRegistration>? shapeRegistration = null,
        bool withIssuer = true)
    {
        Machine = new FakeRunnerMachine(layout, userUnit);
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

    public FakeRunnerMachine Machine { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

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

    /// <summary>Advances the fake clock while the sequence polls, until it is done.</summary>
    public async Task DriveClockUntilDoneAsync(Task task, TimeSpan step)
    {
        for (var i = 0; i < 2000 && !task.IsCompleted; i++)
        {
            Time.Advance(step);
            await Task.WhenAny(task, Task.Delay(5));
        }
    }

    public void Dispose()
    {
        _provider.Dispose();
        Machine.Dispose();
    }
}
