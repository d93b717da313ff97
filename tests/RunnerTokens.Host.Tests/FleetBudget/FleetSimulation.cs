using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using RunnerTokens.TestKit;
using RunnerTokens.TestKit.GitHub;
using RunnerTokens.TestKit.Runner;

namespace RunnerTokens.Host.Tests.FleetBudget;

/// <summary>How the refresher runs on the host: one long-lived process, or a new process at each check (timer, cron).</summary>
public enum HostMode
{
    Daemon,
    Cron,
}

/// <summary>One host as the simulation runs it.</summary>
/// <param name="Policy">The refresh policy.</param>
/// <param name="Mode">Daemon or a process per check.</param>
/// <param name="App">Whether the credential is a GitHub App (else a PAT).</param>
/// <param name="Runners">How many runners the host has, all in one organisation.</param>
/// <param name="OrganisationRunners">How many other runners the organisation has, on other hosts.</param>
public sealed record HostSetup(RefreshPolicy Policy, HostMode Mode, bool App, int Runners, int OrganisationRunners = 0)
{
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"--policy {Policy.ToString().ToLowerInvariant()}, {(Mode == HostMode.Daemon ? "daemon" : "timer/cron")}, {(App ? "GitHub App" : "PAT")}, {Runners} runner{(Runners == 1 ? string.Empty : "s")}");
}

/// <summary>What one simulated day cost against the fake GitHub.</summary>
/// <param name="Setup">The host.</param>
/// <param name="Hours">The requests of each hour, oldest first.</param>
/// <param name="Registrations">How many times a runner was registered again (each is also config.sh's own requests).</param>
public sealed record DayCost(HostSetup Setup, IReadOnlyList<IReadOnlyList<RecordedRequest>> Hours, int Registrations)
{
    /// <summary>Gets the hours after the first, when the host runs as it will every day.</summary>
    public IEnumerable<IReadOnlyList<RecordedRequest>> SteadyHours => Hours.Skip(1);

    /// <summary>The mean requests of a steady hour that <paramref name="which"/> picks.</summary>
    public double PerHour(Func<RecordedRequest, bool> which) => SteadyHours.Average(h => h.Count(which));

    /// <summary>The most requests of one steady hour.</summary>
    public int MostInAnHour => SteadyHours.Max(h => h.Count);

    public double Requests => PerHour(_ => true);

    /// <summary>Gets the mean conditional requests GitHub answered 304 (not counted against the primary rate limit).</summary>
    public double NotModified => PerHour(r => r.StatusCode == 304);

    /// <summary>Gets the mean POSTs: registration, remove and installation tokens, all content-creating.</summary>
    public double Posts => PerHour(r => r.Method == "POST");

    public double RegistrationsPerHour => Registrations / (double)Hours.Count;
}

/// <summary>
/// A day of one host, one check a minute, on a fake clock, against the fake GitHub on 127.0.0.1: the packages composed
/// as the command composes them (the GitHub side, the listener-log source, the registration source under
/// <c>--policy registration</c>), real runner files and state folder, and every request GitHub would see counted. The
/// re-registration itself (config.sh and systemctl, tested end to end elsewhere) is replaced by one that writes what a
/// new listener writes (a fresh <c>.runner</c>, a log saying "Listening for Jobs") and counts; config.sh's own requests
/// (4 per registration, with the registration token, RUNNER-FACTS) are added in the README, not here.
/// </summary>
public static class FleetSimulation
{
    public static readonly DateTimeOffset Start = new(2026, 11, 26, 0, 0, 0, TimeSpan.Zero);

    public const string Pat = "ghp_FleetSimulation000000000000000000000000";

    public static async Task<DayCost> RunDayAsync(HostSetup setup, int hours = 24, CancellationToken cancellationToken = default)
    {
        var time = new FakeTimeProvider(Start);
        await using var api = await FakeGitHubApi.StartAsync(time);
        using var temp = new TempDirectory("fleet");
        var app = setup.App ? api.AddApp(4242).AddInstallation(77, "acme") : null;
        if (!setup.App)
        {
            api.AddToken(Pat);
        }

        for (var i = 0; i < setup.OrganisationRunners; i++)
        {
            api.AddRunner("orgs/acme", $"elsewhere-{i}");
        }

        var runners = new List<string>();
        for (var i = 0; i < setup.Runners; i++)
        {
            var name = $"host-{i}";
            api.AddRunner("orgs/acme", name);
            runners.Add(WriteRunner(temp.Combine(name), name, time.GetUtcNow()));
        }

        var secret = temp.Combine(setup.App ? "app.pem" : "token");
        if (app is not null)
        {
            app.WritePrivateKey(secret);
        }
        else
        {
            File.WriteAllText(secret, Pat);
            File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var registrations = new Registrations(time);
        ServiceProvider? daemon = null;
        try
        {
            var checks = hours * 60;
            for (var check = 0; check < checks; check++)
            {
                var provider = setup.Mode == HostMode.Daemon
                    ? daemon ??= Compose(setup, api, temp, runners, secret, registrations, time)
                    : Compose(setup, api, temp, runners, secret, registrations, time);
                try
                {
                    await CheckAsync(provider.GetRequiredService<IRunnerTokenRefresher>(), time, cancellationToken);
                }
                finally
                {
                    if (setup.Mode == HostMode.Cron)
                    {
                        await provider.DisposeAsync();
                    }
                }

                time.Advance(TimeSpan.FromMinutes(1));
            }
        }
        finally
        {
            if (daemon is not null)
            {
                await daemon.DisposeAsync();
            }
        }

        var byHour = api.Requests
            .GroupBy(r => (int)((r.ReceivedAt - Start).TotalHours))
            .ToDictionary(g => g.Key, g => (IReadOnlyList<RecordedRequest>)[.. g]);
        IReadOnlyList<IReadOnlyList<RecordedRequest>> perHour = [.. Enumerable.Range(0, hours).Select(h => byHour.TryGetValue(h, out var list) ? list : [])];
        return new DayCost(setup, perHour, registrations.Count);
    }

    /// <summary>
    /// One check, on the fake clock. A check waits on that clock only when something is briefly in its way (the runner's
    /// lock still held through a file descriptor that a process another test forks has not yet closed at exec): then
    /// the clock moves on in the lock's 200 ms steps, as the real one would, instead of the day hanging for ever.
    /// </summary>
    private static async Task CheckAsync(IRunnerTokenRefresher refresher, FakeTimeProvider time, CancellationToken cancellationToken)
    {
        var check = refresher.RunOnceAsync(cancellationToken);
        var waited = TimeSpan.Zero;
        var step = TimeSpan.FromMilliseconds(50);
        while (!check.IsCompleted)
        {
            await Task.WhenAny(check, Task.Delay(step, cancellationToken));
            waited += step;
            if (check.IsCompleted)
            {
                break;
            }

            if (waited > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"a check at {time.GetUtcNow():u} (fake) did not end within 60 s");
            }

            if (waited >= TimeSpan.FromMilliseconds(500))
            {
                time.Advance(TimeSpan.FromMilliseconds(200));
            }
        }

        await check;
    }

    private static ServiceProvider Compose(HostSetup setup, FakeGitHubApi api, TempDirectory temp, List<string> runners, string secret, Registrations registrations, FakeTimeProvider time)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.None));
        services.AddSingleton<TimeProvider>(time);
        var refresh = services.AddRunnerTokenRefresh(o =>
        {
            foreach (var directory in runners)
            {
                o.Runners.Add(new RunnerOptions { Directory = directory, Organization = "acme", MetricsFile = directory + ".metrics.json" });
            }

            o.Policy = setup.Policy;
            o.StateDirectory = temp.Combine("state");
        })
            .AddGitHub(o =>
            {
                o.ApiUrl = api.BaseUrl.ToString();
                o.UseGitHubCli = false;
                if (setup.App)
                {
                    o.AppId = 4242;
                    o.PrivateKeyFile = secret;
                }
                else
                {
                    o.TokenFile = secret;
                }
            })
            .AddSystemdReconfigurer();
        if (setup.Policy == RefreshPolicy.Registration)
        {
            refresh.AddGitHubRegistrationSource();
        }

        // The re-registration is counted, not run; the checks that guard it (sudo, polkit, config.sh) are tested elsewhere.
        services.RemoveAll<IRunnerReconfigurer>();
        services.AddSingleton<IRunnerReconfigurer>(registrations);
        services.RemoveAll<IRunnerPreflightCheck>();
        return services.BuildServiceProvider();
    }

    private static string WriteRunner(string directory, string name, DateTimeOffset at)
    {
        Directory.CreateDirectory(directory);
        var bom = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true);
        File.WriteAllText(Path.Combine(directory, ".runner"), $"{{\n  \"agentId\": 7,\n  \"agentName\": \"{name}\",\n  \"poolId\": 1,\n  \"poolName\": \"Default\",\n  \"serverUrl\": \"https://pipelines.actions.githubusercontent.com/x/\",\n  \"gitHubUrl\": \"https://github.com/acme\",\n  \"workFolder\": \"_work\"\n}}", bom);
        File.WriteAllText(Path.Combine(directory, ".credentials"), "{\n  \"scheme\": \"OAuth\",\n  \"data\": {\n    \"clientId\": \"6a1b0f0e-94e4-4fd0-9d0c-0b7d2c3c0001\",\n    \"authorizationUrl\": \"https://pipelines.actions.githubusercontent.com/x/_apis/oauth2/token\"\n  }\n}", bom);
        File.WriteAllText(Path.Combine(directory, ".service"), $"actions.runner.acme.{name}.service\n");
        File.SetLastWriteTimeUtc(Path.Combine(directory, ".runner"), at.UtcDateTime);
        WriteListenerLog(directory, at);
        return directory;
    }

    /// <summary>What a listener that came up writes: a log whose latest word is "Listening for Jobs".</summary>
    private static void WriteListenerLog(string directory, DateTimeOffset at)
    {
        var diag = Directory.CreateDirectory(Path.Combine(directory, "_diag")).FullName;
        var path = Path.Combine(diag, $"Runner_{at.UtcDateTime:yyyyMMdd-HHmmss}-utc.log");
        File.WriteAllText(path, FakeRunnerDirectory.DiagLine(at, "Command 'run': 'True'") + "\n" + FakeRunnerDirectory.DiagLine(at.AddSeconds(2), "Listening for Jobs") + "\n");
        File.SetLastWriteTimeUtc(path, at.AddSeconds(2).UtcDateTime);
    }

    /// <summary>A re-registration that writes what config.sh and the new listener write, and counts.</summary>
    private sealed class Registrations(TimeProvider time) : IRunnerReconfigurer
    {
        private int _count;

        public int Count => _count;

        public Task ReconfigureAsync(RunnerContext runner, RunnerRegistration registration, RegistrationToken registrationToken, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            var at = time.GetUtcNow();
            File.SetLastWriteTimeUtc(Path.Combine(runner.Directory, ".runner"), at.UtcDateTime);
            WriteListenerLog(runner.Directory, at.AddSeconds(1));
            return Task.CompletedTask;
        }

        public ValueTask<IReadOnlyList<string>> DescribePlanAsync(RunnerContext runner, RunnerRegistration registration, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<string>>(["re-register"]);
    }
}
