using System.IO.Abstractions;
using RunnerTokens.State;

namespace RunnerTokens.Runners;

/// <summary>
/// Turns the configured runners into <see cref="RunnerContext"/>s with every default resolved, or says what is wrong.
/// A runner's name and URL come from the runner itself: its <c>.runner</c>, else its registration record, else what
/// <c>config.sh</c> would pick (the host name cut at the first dot). Configured ones that differ are refused unless
/// the runner's options ask for a rename.
/// </summary>
internal sealed class RunnerContextFactory(IFileSystem fileSystem, RegistrationRecordStore records)
{
    public const string LocalStateFolderName = ".token-refresh";

    /// <summary>The runner's configuration script, which every runner folder has.</summary>
    private const string ConfigScriptName = "config.sh";

    private readonly Lazy<string> _machineName = new(RunnerIdentity.MachineName);

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
                directory = null;
            }
        }

        var configuredName = string.IsNullOrWhiteSpace(runner.Name) ? null : runner.Name.Trim();
        if (configuredName is not null && NameProblem(configuredName) is { } nameProblem)
        {
            errors.Add($"{setting}.{nameof(RunnerOptions.Name)} = '{Shown(configuredName)}' is not allowed: {nameProblem}.");
        }

        string? configuredUrl = null;
        if (!string.IsNullOrWhiteSpace(runner.Url))
        {
            configuredUrl = runner.Url.Trim();
            if (!RunnerScope.TryParse(configuredUrl, out _, out var urlError))
            {
                errors.Add($"{setting}.{nameof(RunnerOptions.Url)} = '{runner.Url}' is not allowed: {urlError}.");
            }
        }
        else if (!string.IsNullOrWhiteSpace(runner.Organization))
        {
            if (runner.Organization.Contains('/', StringComparison.Ordinal) || runner.Organization.Any(char.IsWhiteSpace))
            {
                errors.Add($"{setting}.{nameof(RunnerOptions.Organization)} = '{runner.Organization}' is not allowed: an organisation name has no '/' or spaces (for a repository runner, set the URL).");
            }
            else
            {
                configuredUrl = $"https://github.com/{runner.Organization.Trim()}";
            }
        }

        // Labels and the group go to config.sh as arguments and into logs: one line each, and config.sh splits labels at ','.
        foreach (var label in runner.Labels.Where(label => LabelProblem(label) is not null))
        {
            errors.Add($"{setting}.{nameof(RunnerOptions.Labels)} has the label '{Shown(label)}', which is not allowed: {LabelProblem(label)}.");
        }

        if (!string.IsNullOrWhiteSpace(runner.RunnerGroup) && runner.RunnerGroup.Any(char.IsControl))
        {
            errors.Add($"{setting}.{nameof(RunnerOptions.RunnerGroup)} = '{Shown(runner.RunnerGroup)}' is not allowed: a runner group has no control characters (newline, tab, escape).");
        }

        if (errors.Count > before || directory is null)
        {
            return null;
        }

        // The runner's own word first: .runner; else what the record remembers of it (.runner deleted by the listener).
        var (registered, unreadable) = RunnerSettingsFile.Read(fileSystem, directory);
        string? name;
        string? url;
        if (registered is not null)
        {
            name = configuredName ?? registered.AgentName!;
            url = configuredUrl ?? registered.GitHubUrl;
            if (!runner.Rename)
            {
                var runnerFile = fileSystem.Path.Combine(directory, RunnerSettingsFile.FileName);
                if (configuredName is not null && !string.Equals(configuredName, registered.AgentName, StringComparison.Ordinal))
                {
                    errors.Add($"{setting}.{nameof(RunnerOptions.Name)} = '{configuredName}' is not allowed: the runner in {directory} is registered as '{registered.AgentName}' ({runnerFile}). Leave the name unset to keep it, or set {nameof(RunnerOptions.Rename)} (--rename) to rename the runner on GitHub (it then gets a new id).");
                }

                if (configuredUrl is not null && registered.GitHubUrl is not null && !RunnerIdentity.SameUrl(configuredUrl, registered.GitHubUrl))
                {
                    errors.Add($"{setting}.{(string.IsNullOrWhiteSpace(runner.Url) ? nameof(RunnerOptions.Organization) : nameof(RunnerOptions.Url))} gives the URL '{configuredUrl}', which is not allowed: the runner in {directory} is registered at '{registered.GitHubUrl}' ({runnerFile}). Leave the organisation and URL unset to keep it, or set {nameof(RunnerOptions.Rename)} (--rename) to move the runner (it then gets a new id).");
                }
            }
        }
        else
        {
            var remembered = FindRecord(options, runner, directory, configuredName);
            name = configuredName ?? remembered?.Name ?? _machineName.Value;
            url = configuredUrl ?? (string.IsNullOrWhiteSpace(remembered?.Url) ? null : remembered.Url);
        }

        var runnerFileExists = fileSystem.File.Exists(fileSystem.Path.Combine(directory, RunnerSettingsFile.FileName));
        if (url is null && runnerFileExists)
        {
            // A .runner that cannot be read, and nothing else (no record, no URL) that says where to register the runner.
            errors.Add($"{setting}: {unreadable}; restore the runner's {RunnerSettingsFile.FileName}, or set the organisation (RUNNER_ORG, --org) or the runner URL (RUNNER_URL, --url) to register it again.");
        }
        else if (url is null && !fileSystem.File.Exists(fileSystem.Path.Combine(directory, ConfigScriptName)))
        {
            errors.Add($"{setting}.{nameof(RunnerOptions.Directory)} = '{runner.Directory}' is not a runner folder: it has no {RunnerSettingsFile.FileName} and no {ConfigScriptName}; set it to the runner's installation folder (where {ConfigScriptName} is).");
        }
        else if (url is null)
        {
            errors.Add($"{setting}: the runner in {directory} is not registered (no {RunnerSettingsFile.FileName}) and neither {nameof(RunnerOptions.Url)} nor {nameof(RunnerOptions.Organization)} is set; set the organisation (RUNNER_ORG, --org) or the runner URL (RUNNER_URL, --url).");
        }

        if (errors.Count > before || url is null)
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
            NoDefaultLabels = runner.NoDefaultLabels,
            AllowRename = runner.Rename,
            MetricsFile = string.IsNullOrWhiteSpace(metricsFile) ? null : fileSystem.Path.GetFullPath(metricsFile),
        };
    }

    /// <summary>The record of a runner without <c>.runner</c>: in its own state folder, or found by its directory in the shared one.</summary>
    private RegistrationRecord? FindRecord(RunnerTokenRefreshOptions options, RunnerOptions runner, string directory, string? configuredName)
    {
        if (runner.StateDirectory is { Length: > 0 } own)
        {
            return records.Read(fileSystem.Path.GetFullPath(own), out _);
        }

        if (options.StateDirectory is { Length: > 0 } shared)
        {
            var sharedPath = fileSystem.Path.GetFullPath(shared);
            return (configuredName is null ? null : records.Read(fileSystem.Path.Combine(sharedPath, SafeFileName(configuredName)), out _))
                ?? records.FindInSharedFolder(sharedPath, directory);
        }

        return records.Read(fileSystem.Path.Combine(directory, LocalStateFolderName), out _);
    }

    /// <summary>
    /// The runner's folder in the shared state folder. The name from <c>.runner</c> is not checked at start (it is the
    /// runner's own), so '/', '.' and '..' are replaced here: the folder must stay inside the shared one.
    /// </summary>
    private static string SafeFileName(string name)
    {
        var invalid = Path.GetInvalidFileNameChars();
        var onlyDots = name.All(c => c == '.');
        return string.Concat(name.Select(c => invalid.Contains(c) || c is '/' or '\\' || char.IsControl(c) || onlyDots ? '_' : c));
    }

    /// <summary>Why a configured name cannot be a runner's: it names the state folder, and goes into logs and config.sh's arguments.</summary>
    private static string? NameProblem(string name) =>
        name is "." or ".."
            ? "a runner name is not '.' or '..' (it names the runner's state folder)"
            : name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal)
                ? "a runner name has no '/' or '\\' (it names the runner's state folder)"
                : name.Any(char.IsControl)
                    ? "a runner name has no control characters (newline, tab, escape)"
                    : null;

    /// <summary>Why a configured label cannot be passed to <c>config.sh --labels</c>, or null.</summary>
    private static string? LabelProblem(string label) =>
        label.Contains(',', StringComparison.Ordinal)
            ? "a label has no ',' (config.sh --labels splits at commas: give each label on its own)"
            : label.Any(char.IsControl)
                ? "a label has no control characters (newline, tab, escape)"
                : null;

    /// <summary>The name as it can be shown on one line: control characters escaped.</summary>
    private static string Shown(string name) =>
        string.Concat(name.Select(c => c switch
        {
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            _ when char.IsControl(c) => $"\\u{(int)c:X4}",
            _ => c.ToString(),
        }));
}
