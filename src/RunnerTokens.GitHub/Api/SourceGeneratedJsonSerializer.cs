using System.Text.Json;
using Octokit.Internal;

namespace RunnerTokens.GitHub;

/// <summary>
/// Octokit's JSON hook, backed by <see cref="GitHubJsonContext"/> instead of Octokit's reflection-based serializer:
/// every answer this package reads is one of its own source-generated types.
/// </summary>
internal sealed class SourceGeneratedJsonSerializer : IJsonSerializer
{
    public static readonly SourceGeneratedJsonSerializer Instance = new();

    // This package sends no request bodies.
    public string Serialize(object item) =>
        throw new NotSupportedException($"RunnerTokens.GitHub sends no JSON bodies (asked to serialize {item?.GetType().Name}).");

    public T Deserialize<T>(string json)
    {
        var info = GitHubJsonContext.Default.GetTypeInfo(typeof(T))
            ?? throw new NotSupportedException($"{typeof(T).Name} is not in {nameof(GitHubJsonContext)}.");
        return (T)JsonSerializer.Deserialize(json, info)!;
    }
}
