using System.IO.Abstractions;
using System.Net;

namespace RunnerTokens.Runners;

/// <summary>Turns the configured runners into <see cref="RunnerContext"/>s with every default resolved, or says what is wrong.</summary>
internal sealed class RunnerContextFactory(IFileSystem fileSystem)
{
    public const string LocalStateFolderName = ".token-refresh";

    private readonly Lazy<string> _hostName = new(Dns.GetHostName);

    public IReadOnlyList<RunnerContext> CreateAll(RunnerTokenRefreshOptions options)
    {
        var runners = new List<RunnerContext>(options.Runners.Count);
        var errors = new List<string>();
        for (var i = 0; i < options.Runners.Count; i++)
        {
            if (TryCreate(options, i, errors) is { } runner)
            {
                runners.Add(runner);
            }
        }

        return errors.Count == 0
            ? runners
            : throw new InvalidOperationException(string.Join(Environment.NewLine, errors));
    }

    /// <summary>Resolves runner <paramref name="index"/>; appends one message per problem to <paramref name="errors"/>.</summary>
    public RunnerContext? TryCreate(RunnerTokenRefreshOptions options, int index, List<string> errors)
    {
        var runner = options.Runners[index];
        var setting = $"{nameof(RunnerTokenRefreshOptions.Runners)}[{index}]";
        var before = errors.Count;

        var name = string.IsNullOrWhiteSpace(runner.Name) ? _hostName.Value : runner.Name.Trim();

        string? url = runner.Url;
        if (string.IsNullOrWhiteSpace(url))
        {
            if (string.IsNullOrWhiteSpace(runner.Organization))
            {
                errors.Add($"{setting}: neither {nameof(RunnerOptions.Url)} nor {nameof(RunnerOptions.Organization)} is set; set the organisation (RUNNER_ORG, --org) or the runner URL (RUNNER_URL, --url).");
            }
            else if (runner.Organization.Contains('/', StringComparison.Ordinal) || runner.Organization.Any(char.IsWhiteSpace))
            {
                errors.Add($"{setting}.{nameof(RunnerOptions.Organization)} = '{runner.Organization}' is not allowed: an organisation name has no '/' or spaces (for a repository runner, set the URL).");
            }
            else
            {
                url = $"https://github.com/{runner.Organization.Trim()}";
            }
        }
        else if (!RunnerScope.TryParse(url, out _, out var urlError))
        {
            errors.Add($"{setting}.{nameof(RunnerOptions.Url)} = '{url}' is not allowed: {urlError}.");
        }

        string? directory = null;
        if (string.IsNullOrWhiteSpace(runner.Directory))
        {
            errors.Add($"{setting}.{nameof(RunnerOptions.Directory)} is empty; set it to the runner's installation folder (where config.sh is).");
        }
        else
        {
            directory = fileSystem.Path.GetFullPath(runner.Directory);
            if (!fileSystem.Directory.Exists(directory))
            {
                errors.Add($"{setting}.{nameof(RunnerOptions.Directory)} = '{runner.Directory}' does not exist; set it to the runner's installation folder (where config.sh is).");
            }
        }

        if (errors.Count > before || url is null || directory is null)
        {
            return null;
        }

        var stateDirectory = runner.StateDirectory is { Length: > 0 } own
            ? fileSystem.Path.GetFullPath(own)
            : options.StateDirectory is { Length: > 0 } shared
                ? fileSystem.Path.GetFullPath(fileSystem.Path.Combine(shared, SafeFileName(name)))
                : fileSystem.Path.Combine(directory, LocalStateFolderName);

        var metricsFile = runner.MetricsFile is { Length: > 0 } file ? file : options.MetricsFile;

        return new RunnerContext(name, directory, url.Trim(), stateDirectory)
        {
            Labels = [.. runner.Labels.Where(label => !string.IsNullOrWhiteSpace(label)).Select(label => label.Trim())],
            RunnerGroup = string.IsNullOrWhiteSpace(runner.RunnerGroup) ? null : runner.RunnerGroup.Trim(),
            Ephemeral = runner.Ephemeral,
            DisableUpdate = runner.DisableUpdate,
            MetricsFile = string.IsNullOrWhiteSpace(metricsFile) ? null : fileSystem.Path.GetFullPath(metricsFile),
        };
    }

    private static string SafeFileName(string name)
    {
        var invalid = Path.GetInvalidFileNameChars();
        return string.Concat(name.Select(c => invalid.Contains(c) || c == '.' && name.Length == 1 ? '_' : c));
    }
}
