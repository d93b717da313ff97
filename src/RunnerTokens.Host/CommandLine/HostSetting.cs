using System.Globalization;

namespace RunnerTokens.Host.CommandLine;

/// <summary>What kind of value a setting takes, which decides how its text is checked and written as configuration.</summary>
internal enum HostSettingKind
{
    /// <summary>Any text (a name, a path, a prefix).</summary>
    Text,

    /// <summary>A whole number of seconds, written as a <see cref="TimeSpan"/>.</summary>
    Seconds,

    /// <summary>A whole number.</summary>
    Number,

    /// <summary>Yes or no: a flag without a value (or with true/false); a variable of 1/0, true/false, yes/no.</summary>
    Switch,

    /// <summary>One of <see cref="HostSetting.Choices"/>, in any case.</summary>
    Choice,

    /// <summary>A comma-separated list.</summary>
    List,

    /// <summary>An absolute http(s) URL.</summary>
    HttpUrl,
}

/// <summary>
/// One setting as the user gives it: a command-line flag, an environment variable (the seed script's names, for env
/// files), or both, and the configuration key it becomes. A key under <c>Runners:0</c> belongs to the one runner the
/// flags describe; under <c>Host</c>, to the command itself (never bound to the libraries' options).
/// </summary>
internal sealed record HostSetting(string Key, string? Flag, string? Variable, HostSettingKind Kind, string Description)
{
    public string? HelpName { get; init; }

    public int Minimum { get; init; }

    public int Maximum { get; init; } = int.MaxValue;

    public IReadOnlyList<string> Choices { get; init; } = [];

    /// <summary>
    /// Gets a value indicating whether the setting belongs to the one runner the flags describe: it cannot be combined
    /// with the runners of a <c>--config</c> file, and its variable is ignored beside them.
    /// </summary>
    public bool PerRunner { get; init; }

    /// <summary>Gets how the user names the setting: the flag, the variable, or both.</summary>
    public string Names => (Flag, Variable) switch
    {
        ({ } flag, { } variable) => $"{flag} ({variable})",
        ({ } flag, null) => flag,
        _ => Variable!,
    };

    /// <summary>
    /// Converts the text the user gave into configuration values (key → value); an unacceptable text adds one error
    /// naming <paramref name="source"/> (the flag or variable as typed), the value and what is allowed.
    /// </summary>
    public void Convert(string source, string text, IDictionary<string, string?> values, ICollection<string> errors)
    {
        var trimmed = text.Trim();
        switch (Kind)
        {
            case HostSettingKind.Seconds or HostSettingKind.Number:
                if (!long.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < Minimum || number > Maximum)
                {
                    errors.Add(string.Create(CultureInfo.InvariantCulture, $"{source} '{text}' is not allowed: it must be a whole number from {Minimum} to {Maximum}{(Kind == HostSettingKind.Seconds ? " (seconds)" : string.Empty)}."));
                    return;
                }

                values[Key] = Kind == HostSettingKind.Seconds
                    ? TimeSpan.FromSeconds(number).ToString("c", CultureInfo.InvariantCulture)
                    : number.ToString(CultureInfo.InvariantCulture);
                return;
            case HostSettingKind.Switch:
                if (ParseSwitch(trimmed) is not { } on)
                {
                    errors.Add($"{source} '{text}' is not allowed: use 1 or 0 (true or false, yes or no).");
                    return;
                }

                values[Key] = on ? "true" : "false";
                return;
            case HostSettingKind.Choice:
                var choice = Choices.FirstOrDefault(c => string.Equals(c, trimmed, StringComparison.OrdinalIgnoreCase));
                if (choice is null)
                {
                    errors.Add($"{source} '{text}' is not allowed: use {string.Join(", ", Choices.SkipLast(1))} or {Choices[^1]}.");
                    return;
                }

                values[Key] = choice;
                return;
            case HostSettingKind.List:
                var items = trimmed.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                for (var i = 0; i < items.Length; i++)
                {
                    values[string.Create(CultureInfo.InvariantCulture, $"{Key}:{i}")] = items[i];
                }

                return;
            case HostSettingKind.HttpUrl:
                if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
                {
                    errors.Add($"{source} '{text}' is not allowed: it must be an absolute http(s) URL such as https://ghes.example.com/api/v3.");
                    return;
                }

                values[Key] = trimmed;
                return;
            default:
                values[Key] = trimmed;
                return;
        }
    }

    private static bool? ParseSwitch(string text) => text.ToLowerInvariant() switch
    {
        "1" or "true" or "yes" or "on" => true,
        "0" or "false" or "no" or "off" => false,
        _ => null,
    };
}
