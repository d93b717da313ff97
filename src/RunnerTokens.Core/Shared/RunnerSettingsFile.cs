using System.IO.Abstractions;
using System.Text.Json;

namespace RunnerTokens.Shared;

/// <summary>What a runner's <c>.runner</c> file says: the settings <c>config.sh</c> saved (JSON with a BOM, camelCase, defaults omitted).</summary>
internal sealed record RunnerSettings
{
    public long? AgentId { get; init; }

    public string? AgentName { get; init; }

    public string? PoolName { get; init; }

    public string? GitHubUrl { get; init; }

    public string? WorkFolder { get; init; }

    public bool Ephemeral { get; init; }

    public bool DisableUpdate { get; init; }

    public string? MonitorSocketAddress { get; init; }
}

/// <summary>Reads <c>.runner</c> (the one reader of that format). Labels are not in it: the runner does not store them.</summary>
/// <remarks>Shared source: compiled into Core, and linked into Systemd, where it stays internal.</remarks>
internal static class RunnerSettingsFile
{
    public const string FileName = ".runner";

    /// <summary>Reads <c>.runner</c> in <paramref name="runnerDirectory"/>.</summary>
    /// <returns>The settings, or null with the reason (missing, unreadable or corrupt, naming the file).</returns>
    public static (RunnerSettings? Settings, string? Problem) Read(IFileSystem fileSystem, string runnerDirectory)
    {
        var path = fileSystem.Path.Combine(runnerDirectory, FileName);
        if (!fileSystem.File.Exists(path))
        {
            return (null, $"{path} does not exist");
        }

        try
        {
            using var document = JsonDocument.Parse(Utf8Bom.Strip(UnixFileStatus.ReadAllBytes(fileSystem, path)));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, $"{path} is corrupt: expected a JSON object, found {root.ValueKind}");
            }

            var settings = new RunnerSettings
            {
                AgentId = root.TryGetProperty("agentId", out var id) && id.ValueKind == JsonValueKind.Number && id.TryGetInt64(out var number) ? number : null,
                AgentName = Text(root, "agentName"),
                PoolName = Text(root, "poolName"),
                GitHubUrl = Text(root, "gitHubUrl"),
                WorkFolder = Text(root, "workFolder"),
                Ephemeral = Flag(root, "ephemeral"),
                DisableUpdate = Flag(root, "disableUpdate"),
                MonitorSocketAddress = Text(root, "monitorSocketAddress"),
            };
            return settings.AgentName is null
                ? (null, $"{path} is corrupt: 'agentName' is missing or empty")
                : (settings, null);
        }
        catch (JsonException ex)
        {
            return (null, $"{path} is corrupt: {ex.Message}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (null, $"{path} cannot be read: {ex.Message}");
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()!.Trim()
            : null;

    private static bool Flag(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;
}
