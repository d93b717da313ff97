using System.Text.Json.Serialization;
using RunnerTokens.Metrics;

namespace RunnerTokens.State;

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(RunnerState))]
[JsonSerializable(typeof(MetricsDocument))]
internal sealed partial class StateJsonContext : JsonSerializerContext;
