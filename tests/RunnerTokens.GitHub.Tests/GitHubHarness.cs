using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using RunnerTokens.TestKit;
using RunnerTokens.TestKit.GitHub;

namespace RunnerTokens.GitHub.Tests;

/// <summary>
/// The package wired as a host wires it, against the fake GitHub API on loopback, with fake time, a fake environment
/// (never the process's), fake logs and a temp folder.
/// </summary>
internal sealed class GitHubHarness : IAsyncDisposable
{
    public const string Pat = "ghp_TestPersonalAccessToken0123456789abcd";
    public static readonly DateTimeOffset Start = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private readonly List<ServiceProvider> _others = [];
    private static readonly TempDirectory StateRoot = new("gh-tests-runner-state");

    private ServiceProvider? _provider;

    private GitHubHarness(FakeGitHubApi api, FakeTimeProvider time)
    {
        Api = api;
        Time = time;
        Options = new GitHubOptions
        {
            ApiUrl = api.BaseUrl.ToString(),
            RetryDelay = TimeSpan.Zero,
            UseGitHubCli = false,
            RequestTimeout = TimeSpan.FromSeconds(100),
            StateDirectory = Temp.Combine("state"),
        };
    }

    public FakeGitHubApi Api { get; }

    public FakeTimeProvider Time { get; }

    public GitHubOptions Options { get; }

    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    public TempDirectory Temp { get; } = new("gh-tests");

    /// <summary>
    /// Gets or sets a value indicating whether every host (api.github.com, api.NAME.ghe.com, GHES) is routed to the fake,
    /// so the API root is derived from runner URLs as in production.
    /// </summary>
    public bool RouteEveryHostToFake { get; set; }

    /// <summary>Gets or sets more registrations (the engine's options, a reconfigurer), applied when the services are built.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; set; }

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    public ServiceProvider Services => _provider ??= Build();

    public ITokenIssuer Issuer => Services.GetRequiredService<ITokenIssuer>();

    public IRunnerBusyProbe BusyProbe => Services.GetServices<IRunnerBusyProbe>().Single();

    public IRunnerRegistrationSource RegistrationSource => Services.GetServices<IRunnerRegistrationSource>().Single();

    public IExpirySource ExpirySource => Source;

    /// <summary>Gets the registration source as the engine calls it: with what the local sources observed.</summary>
    public IRemoteExpirySource Source => Services.GetServices<IExpirySource>().OfType<GitHubRegistrationExpirySource>().Single();

    internal RunnerLookup Lookup => Services.GetRequiredService<RunnerLookup>();

    internal GitHubApiClient Client => Services.GetRequiredService<GitHubApiClient>();

    internal CredentialResolver Credentials => Services.GetRequiredService<CredentialResolver>();

    public static async Task<GitHubHarness> StartAsync()
    {
        var time = new FakeTimeProvider(Start);
        var api = await FakeGitHubApi.StartAsync(time);
        return new GitHubHarness(api, time);
    }

    /// <summary>Starts with <see cref="Pat"/> in GITHUB_TOKEN, accepted by the fake with the given scopes (all by default).</summary>
    public static async Task<GitHubHarness> StartWithPatAsync(params string[] scopes)
    {
        var harness = await StartAsync();
        harness.WithPat(Pat, scopes);
        return harness;
    }

    /// <summary>A PAT the fake accepts, given to the package through GITHUB_TOKEN.</summary>
    public GitHubHarness WithPat(string token = Pat, params string[] scopes)
    {
        Api.AddToken(token, scopes);
        Environment["GITHUB_TOKEN"] = token;
        return this;
    }

    /// <summary>
    /// A runner with a state folder of its own (under one temp folder for the test run): what the registration source
    /// remembers about one context is not seen by another of the same name. Keep the context to keep its memory.
    /// </summary>
    public static RunnerContext RunnerAt(string name, string url) =>
        new(name, "/opt/runner/" + name, url, StateRoot.Combine($"{name}-{Guid.NewGuid():N}"));

    public static RunnerContext Runner(string name, string scopePath = "orgs/acme") => RunnerAt(name, ScopeUrl(scopePath));

    /// <summary>The runner URL of a scope path (<c>orgs/acme</c> → <c>https://github.com/acme</c>).</summary>
    public static string ScopeUrl(string scopePath) => scopePath.Split('/') switch
    {
        ["orgs", var org] => $"https://github.com/{org}",
        ["repos", var owner, var repo] => $"https://github.com/{owner}/{repo}",
        ["enterprises", var ent] => $"https://github.com/enterprises/{ent}",
        _ => throw new ArgumentException(scopePath),
    };

    public static RunnerScope Scope(string scopePath) => RunnerScope.Parse(ScopeUrl(scopePath));

    /// <summary>Adds <paramref name="count"/> runners <c>r0</c>, <c>r1</c>, … to a scope: more than one page from 101 on.</summary>
    public IReadOnlyList<FakeRunner> AddRunners(int count, string scopePath = "orgs/acme") =>
        [.. Enumerable.Range(0, count).Select(i => Api.AddRunner(scopePath, $"r{i}"))];

    /// <summary>
    /// Configures the engine with <paramref name="count"/> runners <c>r0</c>, <c>r1</c>, … of <c>orgs/acme</c>, each with a
    /// folder of its own: what the registration source counts to share its questions an hour among them.
    /// </summary>
    public void ConfigureRunners(int count) => ConfigureServices = services => services.Configure<RunnerTokenRefreshOptions>(o =>
    {
        for (var i = 0; i < count; i++)
        {
            var directory = Temp.Combine($"runner-{i}");
            Directory.CreateDirectory(directory);
            o.Runners.Add(new RunnerOptions { Directory = directory, Name = $"r{i}", Url = ScopeUrl("orgs/acme"), MetricsFile = Path.Combine(directory, "metrics.json") });
        }
    });

    /// <summary>Gets the requests that asked for a runner by name (<c>?name=</c>).</summary>
    public IReadOnlyList<RecordedRequest> RequestsByName() =>
        [.. Api.Requests.Where(r => r.Query.Contains("name=", StringComparison.Ordinal))];

    /// <summary>Every log line and logged exception, as one text, to look for secrets in.</summary>
    public string AllLogText() =>
        string.Join('\n', Logs.GetSnapshot().Select(r => $"{r.Level} {r.Message} {r.Exception}"));

    /// <summary>Lets fake time run (1 s steps) until <paramref name="task"/> ends, for waits the package makes on its TimeProvider.</summary>
    public async Task<T> RunAsync<T>(Task<T> task, TimeSpan? step = null, TimeSpan? max = null)
    {
        var advanced = TimeSpan.Zero;
        while (!task.IsCompleted)
        {
            await Task.WhenAny(task, Task.Delay(5));
            if (task.IsCompleted)
            {
                break;
            }

            if (advanced >= (max ?? TimeSpan.FromHours(2)))
            {
                throw new TimeoutException($"still running after {advanced} of fake time");
            }

            var by = step ?? TimeSpan.FromSeconds(1);
            Time.Advance(by);
            advanced += by;
        }

        return await task;
    }

    public async Task RunAsync(Task task, TimeSpan? step = null) =>
        await RunAsync(Wrap(task), step);

    /// <summary>Writes an executable fake <c>gh</c> that records its arguments and prints <paramref name="token"/> (or fails).</summary>
    public string WriteFakeGh(string? token, int exitCode = 0, string stderr = "")
    {
        var path = Temp.Combine("gh");
        var args = Temp.Combine("gh-args");
        File.WriteAllText(path, $"""
            #!/bin/sh
            echo "$@" >> '{args}'
            {(token is null ? string.Empty : $"echo '{token}'")}
            {(stderr.Length == 0 ? string.Empty : $"echo '{stderr}' >&2")}
            exit {exitCode}

            """.Replace("\r\n", "\n", StringComparison.Ordinal));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Options.UseGitHubCli = true;
        Options.GhPath = path;
        return args;
    }

    /// <summary>
    /// The package as another process wires it (the daemon beside a timer run): the same fake GitHub, options,
    /// environment and folders, and nothing in memory shared with <see cref="Services"/>.
    /// </summary>
    public ServiceProvider StartAnotherProcess()
    {
        var provider = Build();
        _others.Add(provider);
        return provider;
    }

    public async ValueTask DisposeAsync()
    {
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }

        foreach (var other in _others)
        {
            await other.DisposeAsync();
        }

        await Api.DisposeAsync();
        Temp.Dispose();
    }

    private static async Task<bool> Wrap(Task task)
    {
        await task;
        return true;
    }

    private ServiceProvider Build()
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace)).AddFakeLogging();
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton<IEnvironmentVariables>(new DictionaryEnvironment(Environment));
        services.AddRunnerTokenRefresh().AddGitHubRegistrationSource();
        if (RouteEveryHostToFake)
        {
            services.AddSingleton(new GitHubHttpHandlerFactory(() => new LoopbackRoutingHandler(Api.BaseUrl)));
        }

        ConfigureServices?.Invoke(services);
        services.Configure<GitHubOptions>(o =>
        {
            o.ApiUrl = Options.ApiUrl;
            o.TokenFile = Options.TokenFile;
            o.AppId = Options.AppId;
            o.ClientId = Options.ClientId;
            o.PrivateKeyFile = Options.PrivateKeyFile;
            o.InstallationId = Options.InstallationId;
            o.UseGitHubCli = Options.UseGitHubCli;
            o.GhPath = Options.GhPath;
            o.RequestTimeout = Options.RequestTimeout;
            o.MaxRetryAttempts = Options.MaxRetryAttempts;
            o.RetryDelay = Options.RetryDelay;
            o.MaxRateLimitWait = Options.MaxRateLimitWait;
            o.StateDirectory = Options.StateDirectory;
            o.RegistrationCheckInterval = Options.RegistrationCheckInterval;
        });
        return services.BuildServiceProvider();
    }

    private sealed class DictionaryEnvironment(Dictionary<string, string> values) : IEnvironmentVariables
    {
        public string? Get(string name) => values.TryGetValue(name, out var value) ? value : null;
    }
}
