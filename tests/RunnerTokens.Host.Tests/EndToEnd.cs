using System.Text.Json;
using CliWrap.Buffered;
using RunnerTokens.TestKit;
using RunnerTokens.TestKit.GitHub;
using RunnerTokens.TestKit.Runner;

namespace RunnerTokens.Host.Tests;

/// <summary>
/// One runner machine (runner directory, fake config.sh, fake systemctl first on PATH) and a fake GitHub API on
/// 127.0.0.1, with the built command run against them as a real process.
/// </summary>
internal sealed class EndToEnd : IAsyncDisposable
{
    public const string Token = "ghp_E2eSECRETtoken0123456789abcdefABCDEF";

    private readonly TempDirectory _temp = new("e2e");

    private EndToEnd(FakeGitHubApi api)
    {
        Api = api;
        Api.AddToken(Token);

        // Registers runner-1 in orgs/my-org on the fake GitHub, as its runner directory says.
        Machine = new FakeRunnerMachine(api);
    }

    public FakeGitHubApi Api { get; }

    public FakeRunnerMachine Machine { get; }

    public string MetricsFile => _temp.Combine("metrics.json");

    public string LogFile => _temp.Combine("refresh.log");

    public string StateFile => Path.Combine(Machine.StateDirectory, "runner-1", "state.json");

    public Dictionary<string, string?> Environment => new()
    {
        ["PATH"] = Machine.PathVariable,
        ["GITHUB_TOKEN"] = Token,
        ["STATE_DIRECTORY"] = Machine.StateDirectory,
        ["METRICS_FILE"] = MetricsFile,
        ["LOG_FILE"] = LogFile,
        ["RETRY_BACKOFF_SECONDS"] = "0",
        ["RUNNER_ALLOW_RUNASROOT"] = "1", // the tests run as root in CI
    };

    public string[] Arguments(params string[] extra) =>
        ["--org", "my-org", "--name", "runner-1", "--runner-dir", Machine.Runner.Path, "--api-url", Api.BaseUrl.ToString(), .. extra];

    public static async Task<EndToEnd> StartAsync() => new(await FakeGitHubApi.StartAsync());

    public Task<BufferedCommandResult> RunAsync(params string[] arguments) => HostProcess.RunAsync(Arguments(arguments), Environment);

    public JsonElement Metrics()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(MetricsFile));
        return document.RootElement.Clone();
    }

    /// <summary>Everything the run left where a person or another user could read it: output, log file, argv of config.sh.</summary>
    public string Everything(BufferedCommandResult result) =>
        result.StandardOutput + result.StandardError
        + (File.Exists(LogFile) ? File.ReadAllText(LogFile) : string.Empty)
        + (File.Exists(MetricsFile) ? File.ReadAllText(MetricsFile) : string.Empty)
        + string.Join('\n', Machine.Runner.ConfigSh.Calls.Select(c => c.CommandLine))
        + string.Join('\n', Machine.Systemctl.Calls);

    public async ValueTask DisposeAsync()
    {
        await Api.DisposeAsync();
        Machine.Dispose();
        _temp.Dispose();
    }
}
