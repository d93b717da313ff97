using System.Text.Json.Serialization;

namespace RunnerTokens.Systemd;

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(JournalEntry))]
internal sealed partial class SystemdJsonContext : JsonSerializerContext;
