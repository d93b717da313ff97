using System.Text.Json.Serialization;
using RunnerTokens.Metrics;

namespace RunnerTokens.State;

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(RunnerState))]
[JsonSerializable(typeof(MetricsDocument))]
[JsonSerializable(typeof(RegistrationRecord))]
internal sealed partial class StateJsonContext : JsonSerializerContext;
