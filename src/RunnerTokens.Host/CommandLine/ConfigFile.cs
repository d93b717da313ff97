using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using RunnerTokens.GitHub;
using RunnerTokens.Systemd;

namespace RunnerTokens.Host.CommandLine;

/// <summary>
/// The <c>--config</c> file: JSON shaped as <see cref="RunnerTokenRefreshOptions"/> (several runners, any option), with
/// <c>GitHub</c> and <c>Systemd</c> sections. It is the base layer: variables, then flags, override what it sets.
/// </summary>
internal static partial class ConfigFile
{
    /// <summary>Loads the file; a missing file, bad JSON, an unknown key or a value of the wrong type is an error naming it.</summary>
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

        IConfigurationRoot configuration;
        try
        {
            configuration = new ConfigurationBuilder().AddJsonFile(fullPath, optional: false, reloadOnChange: false).Build();
        }
        catch (Exception ex) when (ex is InvalidDataException or JsonException or FormatException or IOException or UnauthorizedAccessException)
        {
            var detail = ex.InnerException?.Message ?? ex.Message;
            errors.Add($"--config '{path}' is not valid JSON: {detail}");
            return null;
        }

        var before = errors.Count;
        Check(configuration, path, errors);
        return errors.Count == before ? configuration : null;
    }

    /// <summary>
    /// Binds each part of the file to its options strictly: a key no option has (a typo such as <c>Lables</c>) would
    /// otherwise be ignored in silence, and a runner registered without what the operator meant to give it.
    /// </summary>
    private static void Check(IConfigurationRoot configuration, string path, List<string> errors)
    {
        var sections = new[] { "GitHub", "Systemd" };
        var refresh = new ConfigurationBuilder()
            .AddInMemoryCollection(configuration.AsEnumerable()
                .Where(pair => !sections.Any(section => pair.Key.Equals(section, StringComparison.OrdinalIgnoreCase) || pair.Key.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase))))
            .Build();

        Try(() => refresh.Bind(new RunnerTokenRefreshOptions(), Strict));
        Try(() => configuration.GetSection("GitHub").Bind(new GitHubOptions(), Strict));
        Try(() => configuration.GetSection("Systemd").Bind(new SystemdOptions(), Strict));

        void Try(Action bind)
        {
            try
            {
                bind();
            }
            catch (InvalidOperationException ex)
            {
                errors.Add($"--config '{path}': {Explain(ex.Message)}");
            }
        }
    }

    /// <summary>The binder's message about unknown keys, in the file's words: which keys, and where.</summary>
    private static string Explain(string message)
    {
        var unknown = UnknownKeys().Match(message);
        if (!unknown.Success)
        {
            return message;
        }

        var where = unknown.Groups["type"].Value switch
        {
            var type when type.EndsWith(".RunnerOptions", StringComparison.Ordinal) => "in a runner (Runners)",
            var type when type.EndsWith(".GitHubOptions", StringComparison.Ordinal) => "in GitHub",
            var type when type.EndsWith(".SystemdOptions", StringComparison.Ordinal) => "in Systemd",
            _ => "at the top level",
        };
        var keys = unknown.Groups["keys"].Value;
        return $"unknown key{(keys.Contains(',', StringComparison.Ordinal) ? "s" : string.Empty)} {keys} {where}: no such setting (check its spelling; the README's \"Several runners\" lists the keys).";
    }

    [GeneratedRegex(@"not found on the instance of (?<type>[\w.]+): (?<keys>.+)$")]
    private static partial Regex UnknownKeys();

    private static void Strict(BinderOptions options) => options.ErrorOnUnknownConfiguration = true;
}
