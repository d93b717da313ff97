using System.Text;
using CliWrap;
using CliWrap.Buffered;

namespace RunnerTokens.Host.Tests;

/// <summary>Runs the built runner-token-refresh as a real process, with a controlled environment.</summary>
internal static class HostProcess
{
    public static string DllPath { get; } = Path.Combine(AppContext.BaseDirectory, "runner-token-refresh.dll");

    /// <summary>
    /// Gets the native binary to run instead of the built dll, from <c>RUNNERTOKENS_HOST_BINARY</c> (the Native AOT
    /// publish, say: <c>RUNNERTOKENS_HOST_BINARY=artifacts/aot/runner-token-refresh dotnet test …</c>; relative to the repository), or null.
    /// </summary>
    public static string? NativeBinary { get; } =
        Environment.GetEnvironmentVariable("RUNNERTOKENS_HOST_BINARY") is { Length: > 0 } binary ? Path.GetFullPath(binary, FindRepositoryRoot()) : null;

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static async Task<BufferedCommandResult> RunAsync(
        IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await Command(arguments, environment, workingDirectory)
            .ExecuteBufferedAsync(Encoding.UTF8, timeout.Token);
    }

    /// <summary>The command, to start and watch (a daemon) rather than run to the end.</summary>
    /// <param name="arguments">The command line.</param>
    /// <param name="environment">Variables to set (null removes one).</param>
    /// <param name="workingDirectory">The folder it runs in; the repository's by default.</param>
    /// <param name="shell">A shell line run first, by bash, which then <c>exec</c>s the command (<c>ulimit</c>, say).</param>
    public static Command Command(
        IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null, string? shell = null)
    {
        var variables = new Dictionary<string, string?>
        {
            // The seed's variables must come only from the test, never from the machine running it.
            ["RUNNER_ORG"] = null,
            ["RUNNER_NAME"] = null,
            ["RUNNER_URL"] = null,
            ["RUNNER_DIR"] = null,
            ["REFRESH_THRESHOLD"] = null,
            ["CHECK_INTERVAL"] = null,
            ["MAX_RETRY_ATTEMPTS"] = null,
            ["RETRY_BACKOFF_SECONDS"] = null,
            ["LOG_FILE"] = "/dev/null", // never the default /var/log file from a test
            ["METRICS_FILE"] = null,
            ["PROMETHEUS_FILE"] = null,
            ["STATE_DIRECTORY"] = null,
            ["SYSTEMCTL_PREFIX"] = null,
            ["SYSTEMCTL_PATH"] = null,
            ["SYSTEMCTL_USER"] = null,
            ["RUNNER_SERVICE"] = null,
            ["RUNNER_ALLOW_RUNASROOT"] = null,
            ["CREDENTIALS_DIRECTORY"] = null,
            ["GITHUB_TOKEN"] = null,
            ["GITHUB_TOKEN_FILE"] = null,
            ["GITHUB_APP_ID"] = null,
            ["GITHUB_APP_PRIVATE_KEY_FILE"] = null,
            ["GITHUB_APP_INSTALLATION_ID"] = null,
            ["GH_TOKEN"] = null,
            ["GITHUB_API_URL"] = null,
            ["REFRESH_POLICY"] = null,
            ["RUNNER_LABELS"] = null,
            ["RUNNER_GROUP"] = null,
            ["RUNNER_NO_DEFAULT_LABELS"] = null,
            ["RUNNER_DISABLE_UPDATE"] = null,
            ["RUNNER_EPHEMERAL"] = null,
            ["LOG_LEVEL"] = null,
            ["HEALTH_MAX_AGE"] = null,
            ["JOURNAL_STREAM"] = null,
            ["NOTIFY_SOCKET"] = null,

            // Nor any OpenTelemetry export of the machine's.
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = null,
            ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = null,
            ["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"] = null,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = null,
            ["OTEL_EXPORTER_OTLP_HEADERS"] = null,
            ["OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE"] = null,
            ["OTEL_SERVICE_NAME"] = null,
            ["OTEL_RESOURCE_ATTRIBUTES"] = null,
            ["OTEL_SDK_DISABLED"] = null,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            variables[key] = value;
        }

        string[] line = NativeBinary is null ? ["dotnet", DllPath, .. arguments] : [NativeBinary, .. arguments];
        var command = shell is null
            ? Cli.Wrap(line[0]).WithArguments(line[1..])
            : Cli.Wrap("bash").WithArguments(["-c", shell + " && exec \"$@\"", "bash", .. line]);
        return command
            .WithEnvironmentVariables(variables)
            .WithWorkingDirectory(workingDirectory ?? RepositoryRoot)
            .WithValidation(CommandResultValidation.None);
    }

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "RunnerTokens.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("RunnerTokens.sln not found above " + AppContext.BaseDirectory);
    }
}
