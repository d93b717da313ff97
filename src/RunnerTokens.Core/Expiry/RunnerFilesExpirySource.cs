using System.Globalization;
using System.IO.Abstractions;
using System.Text.Json;
using RunnerTokens.State;

namespace RunnerTokens.Expiry;

/// <summary>
/// Reads the runner directory and the state folder: "invalid now" when <c>.runner</c> or <c>.credentials</c> is
/// missing or corrupt; otherwise the earliest of the cached registration-token expiry and any <c>expires_at</c>
/// that older tooling left in those files; "unknown" when there is none.
/// </summary>
/// <remarks>
/// What the three files said is kept until one of them changes (<see cref="FileStampCache{TValue}"/>): a daemon's check
/// of a runner whose files are as they were costs three <c>stat</c>s, not three reads and parses.
/// </remarks>
internal sealed class RunnerFilesExpirySource(IFileSystem fileSystem, RunnerStateStore stateStore) : IExpirySource
{
    public const string SourceName = "runner-files";

    private static readonly string[] _expiryPropertyNames = ["expires_at", "expiresAt"];

    private readonly FileStampCache<ExpiryObservation> _seen = new(fileSystem);

    public ValueTask<ExpiryObservation> ObserveAsync(RunnerContext runner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Observe(runner));
    }

    private ExpiryObservation Observe(RunnerContext runner)
    {
        var runnerFile = runner.Files.RunnerFile;
        var credentialsFile = runner.Files.CredentialsFile;
        var stamps = _seen.StampAll(runner.Stamps.RunnerFile(fileSystem, runnerFile), credentialsFile, runner.Files.StateFile);
        if (_seen.TryGet(runner.Directory, stamps, out var seen))
        {
            return seen;
        }

        var observation = Read(runner, runnerFile, credentialsFile);
        _seen.Set(runner.Directory, stamps, observation);
        return observation;
    }

    private ExpiryObservation Read(RunnerContext runner, string runnerFile, string credentialsFile)
    {
        var expiries = new List<DateTimeOffset>();

        // config.sh always writes both: a .runner without the server's URL cannot connect, a broken registration.
        if (ReadRegistrationFile(runnerFile, ["agentName", "serverUrl"], expiries) is { } runnerProblem)
        {
            return runnerProblem;
        }

        if (ReadRegistrationFile(credentialsFile, ["scheme"], expiries) is { } credentialsProblem)
        {
            return credentialsProblem;
        }

        var state = stateStore.Read(runner, out var stateProblem);
        if (state.RegistrationTokenExpiresAt is { } cached)
        {
            expiries.Add(cached);
        }

        if (expiries.Count > 0)
        {
            return ExpiryObservation.Expires(SourceName, expiries.Min());
        }

        return ExpiryObservation.Unknown(
            SourceName,
            stateProblem ?? $"no registration-token expiry cached in {stateStore.PathFor(runner)} and none in .runner or .credentials");
    }

    /// <summary>Checks one registration file; returns an observation when it is missing or corrupt, else null.</summary>
    private ExpiryObservation? ReadRegistrationFile(string path, string[] requiredProperties, List<DateTimeOffset> expiries)
    {
        if (!fileSystem.File.Exists(path))
        {
            return ExpiryObservation.Invalid(SourceName, $"registration missing: {path} does not exist");
        }

        byte[] bytes;
        try
        {
            bytes = UnixFileStatus.ReadAllBytes(fileSystem, path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Unreadable is not corrupt: the runner (another user) may read it fine.
            return ExpiryObservation.Unknown(SourceName, $"cannot read {path}: {ex.Message}");
        }

        try
        {
            using var document = JsonDocument.Parse(Utf8Bom.Strip(bytes));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Corrupt(path, $"expected a JSON object, found {root.ValueKind}");
            }

            foreach (var requiredProperty in requiredProperties)
            {
                if (!root.TryGetProperty(requiredProperty, out var required)
                    || required.ValueKind != JsonValueKind.String
                    || string.IsNullOrWhiteSpace(required.GetString()))
                {
                    return Corrupt(path, $"'{requiredProperty}' is missing or empty");
                }
            }

            CollectExpiry(root, expiries);
            if (root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object)
            {
                CollectExpiry(data, expiries);
            }

            return null;
        }
        catch (JsonException ex)
        {
            return Corrupt(path, ex.Message);
        }
        catch (FormatException ex)
        {
            return Corrupt(path, ex.Message);
        }
    }

    private static void CollectExpiry(JsonElement element, List<DateTimeOffset> expiries)
    {
        foreach (var name in _expiryPropertyNames)
        {
            if (!element.TryGetProperty(name, out var value))
            {
                continue;
            }

            expiries.Add(value.ValueKind switch
            {
                JsonValueKind.String when DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) => at,
                JsonValueKind.Number when value.TryGetInt64(out var seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds),
                _ => throw new FormatException($"'{name}' is not a date: {value.GetRawText()}"),
            });
        }
    }

    private static ExpiryObservation Corrupt(string path, string problem) =>
        ExpiryObservation.Invalid(SourceName, $"registration corrupt: {path}: {problem}");
}
