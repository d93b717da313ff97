using Microsoft.Extensions.Options;

namespace RunnerTokens.Systemd;

/// <summary>Checks what the attributes cannot: program names, the prefix, unit names, environment names.</summary>
internal sealed class SystemdOptionsValidator : IValidateOptions<SystemdOptions>
{
    private static readonly char[] PrefixShellCharacters = ['\'', '"', ';', '|', '&', '$', '`', '<', '>'];

    public ValidateOptionsResult Validate(string? name, SystemdOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.SystemctlPath))
        {
            errors.Add($"Systemd:{nameof(SystemdOptions.SystemctlPath)} = '{options.SystemctlPath}' is not allowed: set a program name found on PATH (systemctl) or an absolute path (/usr/bin/systemctl).");
        }

        // Split at white space and run without a shell: a quote or a shell character would reach the program as is.
        if (options.SystemctlPrefix is { } prefix && prefix.IndexOfAny(PrefixShellCharacters) >= 0)
        {
            errors.Add($"Systemd:{nameof(SystemdOptions.SystemctlPrefix)} = '{prefix}' is not allowed: it is split at spaces and run without a shell, so it has no quotes or shell characters (' \" ; | & $ ` < >), such as sudo -n.");
        }

        foreach (var (runner, unit) in options.Units)
        {
            // A runner's unit is a service; without the suffix systemctl would pick any unit type (a .socket, a .timer).
            if (!ServiceUnit.IsValidName(unit) || !unit.Trim().EndsWith(".service", StringComparison.Ordinal))
            {
                errors.Add($"Systemd:{nameof(SystemdOptions.Units)}:{runner} = '{unit}' is not allowed: a unit name has no spaces or '/', does not start with '-' and ends in .service, such as actions.runner.ORG.NAME.service.");
            }
        }

        foreach (var variable in options.Environment.Keys)
        {
            if (string.IsNullOrWhiteSpace(variable) || variable.Contains('=', StringComparison.Ordinal))
            {
                errors.Add($"Systemd:{nameof(SystemdOptions.Environment)} has the variable name '{variable}', which is not allowed: a name is not empty and has no '='.");
            }
            else if (variable.StartsWith(ConfigScript.InputVariablePrefix, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"Systemd:{nameof(SystemdOptions.Environment)}:{variable} is not allowed: config.sh reads {ConfigScript.InputVariablePrefix}* as its options; set the runner's options (labels, group, ...) instead.");
            }
            else if (string.Equals(variable, ConfigScript.AllowRunAsRootVariable, StringComparison.Ordinal))
            {
                errors.Add($"Systemd:{nameof(SystemdOptions.Environment)}:{variable} is not allowed: set Systemd:{nameof(SystemdOptions.AllowRunAsRoot)}=true instead (config.sh lets root run for any value of {variable}, 0 included).");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
