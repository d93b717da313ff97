using System.Text;
using RunnerTokens.TestKit;

namespace RunnerTokens.Benchmarks;

/// <summary>Runner folders as config.sh leaves them (UTF-8 with a BOM), named runner-N, for the benchmarks.</summary>
internal static class BenchmarkRunners
{
    private static readonly UTF8Encoding _bom = new(encoderShouldEmitUTF8Identifier: true);

    /// <summary>Makes runner <paramref name="index"/>'s folder with its <c>.runner</c> and <c>.credentials</c>; returns the folder.</summary>
    public static string Create(TempDirectory temp, int index)
    {
        var directory = temp.Combine($"runner-{index}");
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, ".runner"), $"{{\n  \"agentId\": 7,\n  \"agentName\": \"runner-{index}\",\n  \"poolId\": 1,\n  \"serverUrl\": \"https://pipelines.actions.githubusercontent.com/x/\",\n  \"gitHubUrl\": \"https://github.com/acme\",\n  \"workFolder\": \"_work\"\n}}", _bom);
        File.WriteAllText(Path.Combine(directory, ".credentials"), "{\n  \"scheme\": \"OAuth\",\n  \"data\": {\n    \"clientId\": \"6a1b0f0e-94e4-4fd0-9d0c-0b7d2c3c0001\",\n    \"authorizationUrl\": \"https://pipelines.actions.githubusercontent.com/x/_apis/oauth2/token\"\n  }\n}", _bom);
        return directory;
    }

    /// <summary>Runner <paramref name="index"/> as the engine sees it, with its state folder inside its own.</summary>
    public static RunnerContext Context(TempDirectory temp, int index, string? metricsFile = null) =>
        new($"runner-{index}", temp.Combine($"runner-{index}"), "https://github.com/acme", temp.Combine($"runner-{index}", ".token-refresh"))
        {
            MetricsFile = metricsFile,
        };
}
