using RunnerTokens.Systemd;

namespace RunnerTokens.Host.CommandLine;

/// <summary>The systemd settings given by variables (and <c>--service</c>); unset ones keep the config file's or the defaults.</summary>
internal sealed class SystemdSettings
{
    public string? Prefix { get; set; }

    public string? SystemctlPath { get; set; }

    public bool? UserUnits { get; set; }

    public bool? AllowRunAsRoot { get; set; }

    /// <summary>Gets or sets the unit of the one runner given by flags or variables.</summary>
    public string? Unit { get; set; }

    /// <summary>Gets or sets the directory of the one runner given by flags or variables, by which its unit is known.</summary>
    public string? RunnerDirectory { get; set; }

    public void ApplyTo(SystemdOptions options)
    {
        options.SystemctlPrefix = Prefix ?? options.SystemctlPrefix;
        options.SystemctlPath = SystemctlPath ?? options.SystemctlPath;
        options.UserUnits = UserUnits ?? options.UserUnits;
        options.AllowRunAsRoot = AllowRunAsRoot ?? options.AllowRunAsRoot;
        if (Unit is not null && RunnerDirectory is not null)
        {
            options.Units[RunnerDirectory] = Unit;
        }
    }
}
