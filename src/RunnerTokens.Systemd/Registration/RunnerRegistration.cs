using System.IO.Abstractions;
using System.Text.Json;

namespace RunnerTokens.Systemd;

/// <summary>What <c>.runner</c> says about the current registration, read leniently: a missing or corrupt file gives nulls.</summary>
internal sealed record RunnerRegistration(string? AgentName, string? PoolName, string? WorkFolder, bool Ephemeral, bool DisableUpdate, bool Exists)
{
    /// <summary>The work folder config.sh uses when <c>--work</c> is not given.</summary>
    public const string DefaultWorkFolder = "_work";

    public static RunnerRegistration Read(IFileSystem fileSystem, string runnerDirectory)
    {
        var path = fileSystem.Path.Combine(runnerDirectory, RunnerFiles.Runner);
        if (!fileSystem.File.Exists(path))
        {
            return new(null, null, null, false, false, false);
        }

        try
        {
            var bytes = fileSystem.File.ReadAllBytes(path);
            using var document = JsonDocument.Parse(Utf8Bom.Strip(bytes));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new(null, null, null, false, false, true);
            }

            return new(
                String(root, "agentName"),
                String(root, "poolName"),
                String(root, "workFolder"),
                Flag(root, "ephemeral"),
                Flag(root, "disableUpdate"),
                true);
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            return new(null, null, null, false, false, true);
        }
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()
            : null;

    private static bool Flag(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;
}
