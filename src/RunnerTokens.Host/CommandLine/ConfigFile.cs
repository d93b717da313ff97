using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace RunnerTokens.Host.CommandLine;

/// <summary>
/// The <c>--config</c> file: JSON shaped as <see cref="RunnerTokenRefreshOptions"/> (several runners, any option).
/// It is the base layer: variables, then flags, override what it sets.
/// </summary>
internal static class ConfigFile
{
    public static IConfigurationRoot? Load(string? path, List<string> errors)
    {
        if (path is null)
        {
            return null;
        }

        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            errors.Add($"--config '{path}' does not exist.");
            return null;
        }

        try
        {
            return new ConfigurationBuilder().AddJsonFile(fullPath, optional: false, reloadOnChange: false).Build();
        }
        catch (Exception ex) when (ex is InvalidDataException or JsonException or FormatException or IOException or UnauthorizedAccessException)
        {
            var detail = ex.InnerException?.Message ?? ex.Message;
            errors.Add($"--config '{path}' is not valid JSON: {detail}");
            return null;
        }
    }

    /// <summary>Binds the file onto <paramref name="options"/>; a value of the wrong type is an error naming its key.</summary>
    public static void Bind(IConfiguration configuration, RunnerTokenRefreshOptions options, string path, List<string> errors)
    {
        try
        {
            configuration.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            errors.Add($"--config '{path}': {ex.Message}");
        }
    }
}
