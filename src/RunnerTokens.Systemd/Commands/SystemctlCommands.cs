namespace RunnerTokens.Systemd;

/// <summary>Builds the <c>systemctl</c> commands for one unit: the prefix (<c>sudo -n</c>), <c>--user</c>, the verb.</summary>
internal static class SystemctlCommands
{
    public const string Stop = "stop";
    public const string Start = "start";
    public const string IsActive = "is-active";

    public static CommandSpec Build(SystemdOptions options, bool userUnit, string verb, string unit)
    {
        var prefix = (options.SystemctlPrefix ?? string.Empty).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var arguments = new List<string>();
        string program;
        if (prefix.Length > 0)
        {
            program = prefix[0];
            arguments.AddRange(prefix.Skip(1));
            arguments.Add(options.SystemctlPath);
        }
        else
        {
            program = options.SystemctlPath;
        }

        if (userUnit)
        {
            arguments.Add("--user");
        }

        arguments.Add(verb);
        arguments.Add(unit);
        return new CommandSpec(program, arguments, CommandSpec.NoEnvironment, []) { Summary = $"systemctl {verb} {unit}" };
    }

    /// <summary>Reads the state <c>systemctl is-active</c> printed; <see langword="null"/> when it printed none (it failed).</summary>
    public static string? ParseState(string output)
    {
        var first = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return first is "active" or "inactive" or "failed" or "activating" or "deactivating" or "reloading" or "refreshing" or "maintenance" or "unknown"
            ? first
            : null;
    }

    /// <summary>Whether a unit in <paramref name="state"/> has a process running or on its way.</summary>
    public static bool IsRunning(string state) =>
        state is "active" or "activating" or "deactivating" or "reloading" or "refreshing";
}
