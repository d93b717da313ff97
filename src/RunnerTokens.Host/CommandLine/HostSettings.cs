using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace RunnerTokens.Host.CommandLine;

/// <summary>
/// The settings of one run as one <see cref="IConfiguration"/>: the <c>--config</c> file, then the environment
/// variables mapped to its keys, then the flags; each layer overrides the one before. Every bad value is collected as
/// one message naming the flag or variable as the user typed it, its value and what is allowed.
/// </summary>
internal sealed partial class HostSettings
{
    /// <summary>The keys of the one runner the flags and variables describe.</summary>
    public const string RunnerPrefix = "Runners:0:";

    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);

    private HostSettings(IConfigurationRoot configuration) => Configuration = configuration;

    public HostMode Mode { get; private init; }

    /// <summary>Gets every setting, layered; bound by the libraries' options (their sections) and by <see cref="Refresh"/>.</summary>
    public IConfigurationRoot Configuration { get; }

    /// <summary>Gets the refresh options, bound once from <see cref="Configuration"/>, for the host's own decisions.</summary>
    public RunnerTokenRefreshOptions Refresh { get; } = new();

    public string? ConfigPath { get; private init; }

    public string? LogFile => Configuration[HostSettingCatalog.LogFileKey];

    public LogLevel LogLevel => Configuration[HostSettingCatalog.LogLevelKey] switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "warning" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "critical" => LogLevel.Critical,
        _ => LogLevel.Information,
    };

    public TimeSpan MaxAge => TimeSpan.TryParse(Configuration[HostSettingCatalog.MaxAgeKey], CultureInfo.InvariantCulture, out var age)
        ? age
        : TimeSpan.FromSeconds(HostSettingCatalog.DefaultMaxAgeSeconds);

    public List<string> Errors { get; } = [];

    public static HostSettings Resolve(HostArguments arguments, IReadOnlyDictionary<string, string?> environment)
    {
        var errors = new List<string>();
        var modes = new List<(bool On, HostMode Mode)>
        {
            (arguments.Daemon, HostMode.Daemon),
            (arguments.CheckAndRefresh, HostMode.CheckAndRefresh),
            (arguments.Health, HostMode.Health),
            (arguments.CheckConfig, HostMode.CheckConfig),
        }.Where(m => m.On).Select(m => m.Mode).ToList();
        if (modes.Count > 1)
        {
            errors.Add("--daemon, --check-and-refresh, --check-config and --health exclude each other: choose one.");
        }

        var file = ConfigFile.Load(arguments.Config, errors);
        var fileHasRunners = file?.GetSection("Runners").GetChildren().Any() == true;

        // The flags, then the environment (an env file, the seed script's names); the flags' layer goes on top. The
        // variables of the one runner are ignored beside a file's runners (an env file may still set RUNNER_DIR); its
        // flags would be ambiguous there.
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (setting, text) in arguments.Flags)
        {
            if (setting.PerRunner && fileHasRunners)
            {
                errors.Add($"{setting.Flag} '{text}' cannot be combined with the Runners of --config '{arguments.Config}': set it on the runner in the file.");
                continue;
            }

            Convert(setting, setting.Flag!, text, flags, errors);
            names[setting.Key] = setting.Flag!;
        }

        // A variable whose flag is given is not read at all: the flag is how the operator overrides a bad env file.
        var variables = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var setting in HostSettingCatalog.All.Where(s => s.Variable is not null && !(s.PerRunner && fileHasRunners) && !names.ContainsKey(s.Key)))
        {
            if (environment.TryGetValue(setting.Variable!, out var text) && !string.IsNullOrEmpty(text))
            {
                Convert(setting, setting.Variable!, text, variables, errors);
                names[setting.Key] = setting.Variable!;
            }
        }

        var defaults = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (!fileHasRunners)
        {
            defaults[RunnerPrefix + nameof(RunnerOptions.Directory)] = RunnerOptions.DefaultDirectory;

            // The unit is known by the runner's directory: its name is only known once .runner has been read.
            var service = Last(HostSettingCatalog.ServiceKey, variables, flags);
            if (service is not null)
            {
                var directory = Path.GetFullPath(Last(RunnerPrefix + nameof(RunnerOptions.Directory), variables, flags) ?? RunnerOptions.DefaultDirectory);
                var unitKey = $"Systemd:Units:{directory}";
                (flags.ContainsKey(HostSettingCatalog.ServiceKey) ? flags : variables)[unitKey] = service;
                names[unitKey] = names[HostSettingCatalog.ServiceKey];
            }
        }

        // With a state folder (the unit's StateDirectory=), the metrics file lives there rather than in /var/tmp, where
        // any local user may plant one; an explicit MetricsFile in any layer still wins.
        if ((Last(HostSettingCatalog.StateDirectoryKey, variables, flags) ?? file?[HostSettingCatalog.StateDirectoryKey]) is { Length: > 0 } stateDirectory)
        {
            defaults[HostSettingCatalog.MetricsFileKey] = Path.Combine(stateDirectory, HostSettingCatalog.StateMetricsFileName);
        }

        var builder = new ConfigurationBuilder().AddInMemoryCollection(defaults);
        if (file is not null)
        {
            builder.AddConfiguration(file);
        }

        var settings = new HostSettings(builder.AddInMemoryCollection(variables).AddInMemoryCollection(flags).Build())
        {
            Mode = modes.Count == 1 ? modes[0] : HostMode.None,
            ConfigPath = arguments.Config,
        };
        settings.Errors.AddRange(errors);
        settings.Configuration.Bind(settings.Refresh);
        settings.Name(names, fileHasRunners);
        if (settings.Mode == HostMode.Health && string.IsNullOrWhiteSpace(settings.Refresh.MetricsFile)
            && (settings.Refresh.Runners.Count == 0 || settings.Refresh.Runners.Any(r => string.IsNullOrWhiteSpace(r.MetricsFile))))
        {
            // An empty file name: nothing to check, which must not read as healthy (nor crash).
            settings.Errors.Add($"{names.GetValueOrDefault(HostSettingCatalog.MetricsFileKey, HostSettingCatalog.MetricsFileKey)} '{settings.Refresh.MetricsFile}' is not allowed: --health needs the metrics file to check (--metrics-file FILE).");
        }

        return settings;
    }

    /// <summary>
    /// Rewrites a message of the libraries' validators, which name settings by their configuration keys
    /// (<c>Runners[0].Directory</c>, <c>GitHub:TokenFile</c>), to name them as the user gave them: the flag or the
    /// variable (<c>--runner-dir</c>, <c>RUNNER_DIR</c>); a key from the <c>--config</c> file keeps its name.
    /// </summary>
    public string Describe(string message)
    {
        foreach (var (key, name) in _names)
        {
            // "Runners[0].Directory = '/x'" reads as "--runner-dir '/x'": as the user typed it.
            message = message.Replace($"{key} = ", $"{name} ", StringComparison.Ordinal);
            message = Regex.Replace(message, $@"(?<![\w:.\[\]]){Regex.Escape(key)}(?![\w\[:])", name.Replace("$", "$$", StringComparison.Ordinal));
        }

        // A message that already named the variable beside the key ("Systemd:SystemctlPath (SYSTEMCTL_PATH)") says it once.
        message = DoubleName().Replace(message, match => match.Value.Contains(')', StringComparison.Ordinal) && match.Value.IndexOf(')', StringComparison.Ordinal) < match.Value.IndexOf('(', StringComparison.Ordinal) ? match.Groups[1].Value + match.Groups[2].Value + ")" : match.Groups[1].Value + match.Groups[2].Value);
        return message.Replace("Runners[0]: ", string.Empty, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"(?<![\w-])([A-Z][A-Z0-9_]+|--[a-z][a-z-]+)(=\S+)?\)? \(\1\)")]
    private static partial Regex DoubleName();

    private static void Convert(HostSetting setting, string source, string text, Dictionary<string, string?> values, List<string> errors)
    {
        switch (setting.Key)
        {
            case HostSettingCatalog.StateDirectoryKey:
                // systemd joins several StateDirectory= folders with ':'; the first is ours. systemd gives absolute paths;
                // a relative one would land wherever the command happens to run.
                var folder = text.Split(':', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim();
                if (folder is not null && !Path.IsPathFullyQualified(folder))
                {
                    errors.Add($"{source} '{text}' is not allowed: it must be an absolute folder, such as /var/lib/runner-token-refresh (systemd's StateDirectory= sets one).");
                    return;
                }

                values[setting.Key] = folder;
                return;
            case HostSettingCatalog.AppIdKey:
                // The App's numeric id, or its client id (Iv1.…, Iv23…): anything else would only fail at GitHub.
                var id = text.Trim();
                var numeric = long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out _);
                if (!numeric && !id.StartsWith("Iv", StringComparison.Ordinal))
                {
                    errors.Add($"{source} '{text}' is not allowed: use the App's numeric id (App ID) or its client id (Iv…), both on the App's settings page.");
                    return;
                }

                values[numeric ? "GitHub:AppId" : "GitHub:ClientId"] = id;
                return;
            default:
                setting.Convert(source, text, values, errors);
                return;
        }
    }

    /// <summary>
    /// The value of the last layer that has one. A plain loop: LINQ's Reverse on an array is a generic virtual method,
    /// which Native AOT resolves at run time (a lookup every start, on --health's short path too).
    /// </summary>
    private static string? Last(string key, params Dictionary<string, string?>[] layers)
    {
        for (var i = layers.Length - 1; i >= 0; i--)
        {
            if (layers[i].GetValueOrDefault(key) is { } value)
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>Decides how <see cref="Describe"/> names each key: as typed, else (without a file) by its flag and variable.</summary>
    private void Name(Dictionary<string, string> given, bool fileHasRunners)
    {
        foreach (var setting in HostSettingCatalog.All)
        {
            if (setting.PerRunner && fileHasRunners)
            {
                continue;
            }

            var name = given.GetValueOrDefault(setting.Key) ?? (ConfigPath is null ? setting.Names : null);
            if (name is not null)
            {
                _names[DisplayKey(setting.Key)] = name;
            }
        }

        foreach (var (key, name) in given.Where(g => g.Key.StartsWith("Systemd:Units:", StringComparison.Ordinal)))
        {
            _names[key] = name;
        }

        if (given.TryGetValue(HostSettingCatalog.AppIdKey, out var appId))
        {
            _names["GitHub:ClientId"] = appId;
        }
    }

    /// <summary>How the validators write a key: <c>Runners[0].Directory</c> for a runner's, the key itself otherwise.</summary>
    private static string DisplayKey(string key) =>
        key.StartsWith(RunnerPrefix, StringComparison.Ordinal) ? $"Runners[0].{key[RunnerPrefix.Length..]}" : key;
}
