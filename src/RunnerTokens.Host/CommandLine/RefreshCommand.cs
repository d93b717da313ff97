using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Text;

namespace RunnerTokens.Host.CommandLine;

/// <summary>
/// The <c>runner-token-refresh</c> command line: the modes, then one flag per setting of <see cref="HostSettingCatalog"/>
/// that has one. <c>--help</c> also lists the variables without a flag, the exit codes and examples.
/// </summary>
internal static class RefreshCommand
{
    public static RootCommand Create(Func<HostArguments, CancellationToken, Task<int>> run)
    {
        var daemon = new Option<bool>("--daemon") { Description = "Run continuously: check every --interval seconds until SIGTERM or SIGINT (systemd Type=notify); SIGHUP reads the settings again." };
        var checkAndRefresh = new Option<bool>("--check-and-refresh") { Description = "Check once and refresh where needed, then exit (for a timer or cron)." };
        var health = new Option<bool>("--health") { Description = "Read each runner's metrics file; print OK/WARNING/CRITICAL with perfdata, exit 0/1/2 (Nagios, Icinga)." };
        var checkConfig = new Option<bool>("--check-config") { Description = "Check that every refresh can work (credential, unit, rights, folders); print a checklist, exit 0 or 2." };
        var config = new Option<string>("--config") { Description = "JSON file with several runners and any option (see the README).", HelpName = "FILE" };

        var root = new RootCommand("Keeps self-hosted GitHub Actions runners registered: renews a runner's registration before it goes bad, re-registers it with config.sh and restarts its systemd service.")
        {
            daemon, checkAndRefresh, health, checkConfig, config,
        };

        var flags = new List<(HostSetting Setting, Option Option)>();
        foreach (var setting in HostSettingCatalog.All.Where(s => s.Flag is not null))
        {
            var description = setting.Variable is null ? setting.Description : $"{setting.Description} [{setting.Variable}]";
            Option option = setting.Kind == HostSettingKind.Switch
                ? new Option<bool>(setting.Flag!) { Description = description }
                : new Option<string>(setting.Flag!) { Description = description, HelpName = setting.HelpName ?? "VALUE" };
            root.Options.Add(option);
            flags.Add((setting, option));
        }

        foreach (var help in root.Options.OfType<HelpOption>())
        {
            help.Action = new MoreHelpAction((HelpAction)help.Action!);
        }

        root.SetAction((parse, cancellationToken) =>
        {
            var given = new List<KeyValuePair<HostSetting, string>>();
            foreach (var (setting, option) in flags)
            {
                if (parse.GetResult(option) is { Implicit: false })
                {
                    var text = option is Option<bool> flag ? (parse.GetValue(flag) ? "true" : "false") : parse.GetValue((Option<string>)option);
                    given.Add(new(setting, text ?? string.Empty));
                }
            }

            return run(
                new HostArguments
                {
                    Daemon = parse.GetValue(daemon),
                    CheckAndRefresh = parse.GetValue(checkAndRefresh),
                    Health = parse.GetValue(health),
                    CheckConfig = parse.GetValue(checkConfig),
                    Config = parse.GetValue(config),
                    Flags = given,
                },
                cancellationToken);
        });
        return root;
    }

    /// <summary>
    /// The arguments read directly, for the short path of a run (a monitoring system runs <c>--health</c> every minute
    /// or so, cron the one-shot check): building System.CommandLine's command reads its help and version texts from
    /// resources through reflection, which costs more than <c>--health</c>'s own work. Only the plain forms are taken:
    /// one mode, given once; every other flag known and given once, a text flag followed by its value (not empty, not
    /// starting with <c>-</c> or <c>@</c>), a switch alone. Anything else (no mode or two, <c>--flag=value</c>, a switch
    /// with a value, <c>--help</c>, a stray argument) returns null and goes through <see cref="Create"/> as before.
    /// What is returned is what <see cref="Create"/>'s action would pass.
    /// </summary>
    public static HostArguments? TryParsePlain(IReadOnlyList<string> args)
    {
        string? mode = null;
        string? config = null;
        var given = new Dictionary<HostSetting, string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--daemon" or "--check-and-refresh" or "--health" or "--check-config")
            {
                if (mode is not null || (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)))
                {
                    return null;
                }

                mode = arg;
                continue;
            }

            var setting = arg == "--config" ? null : FindFlag(arg);
            if (arg != "--config" && setting is null)
            {
                return null;
            }

            if (setting is { Kind: HostSettingKind.Switch })
            {
                // A switch alone: the next argument, if any, is another flag (a value would be the switch's own).
                if (given.ContainsKey(setting) || (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)))
                {
                    return null;
                }

                given[setting] = "true";
                continue;
            }

            if (i + 1 >= args.Count || args[i + 1] is not { Length: > 0 } value || value[0] is '-' or '@')
            {
                return null;
            }

            i++;
            if (setting is null)
            {
                if (config is not null)
                {
                    return null;
                }

                config = value;
            }
            else if (!given.TryAdd(setting, value))
            {
                return null;
            }
        }

        if (mode is null)
        {
            return null;
        }

        // In the catalog's order, as Create's action lists them.
        var flags = new List<KeyValuePair<HostSetting, string>>();
        foreach (var setting in HostSettingCatalog.All)
        {
            if (given.TryGetValue(setting, out var text))
            {
                flags.Add(new(setting, text));
            }
        }

        return new HostArguments
        {
            Daemon = mode == "--daemon",
            CheckAndRefresh = mode == "--check-and-refresh",
            Health = mode == "--health",
            CheckConfig = mode == "--check-config",
            Config = config,
            Flags = flags,
        };
    }

    private static HostSetting? FindFlag(string flag)
    {
        foreach (var setting in HostSettingCatalog.All)
        {
            if (setting.Flag == flag)
            {
                return setting;
            }
        }

        return null;
    }

    /// <summary>
    /// The switches given a value they cannot take (<c>--dry-run=perhaps</c>), one message each. System.CommandLine
    /// would only say "Unrecognized command or argument 'perhaps'", without the flag.
    /// </summary>
    public static IEnumerable<string> BadSwitchValues(IEnumerable<string> args)
    {
        var switches = HostSettingCatalog.All.Where(s => s.Kind == HostSettingKind.Switch && s.Flag is not null).Select(s => s.Flag!)
            .Concat(["--daemon", "--check-and-refresh", "--health", "--check-config"]);
        foreach (var arg in args.TakeWhile(a => a != "--"))
        {
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0 && switches.Contains(arg[..equals], StringComparer.Ordinal)
                && !bool.TryParse(arg[(equals + 1)..], out _))
            {
                yield return $"{arg[..equals]} '{arg[(equals + 1)..]}' is not allowed: a switch is given alone ({arg[..equals]}), or as {arg[..equals]}=true or {arg[..equals]}=false.";
            }
        }
    }

    /// <summary>The help System.CommandLine writes, then what an operator needs beside the flags.</summary>
    private sealed class MoreHelpAction(HelpAction help) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var exitCode = help.Invoke(parseResult);
            parseResult.InvocationConfiguration.Output.Write(Epilogue());
            return exitCode;
        }

        private static string Epilogue()
        {
            var text = new StringBuilder();
            text.AppendLine("Variables without a flag (for env files; a flag beats its variable, and both beat --config):");
            foreach (var setting in HostSettingCatalog.All.Where(s => s.Flag is null))
            {
                text.Append("  ").Append(setting.Variable!.PadRight(28)).AppendLine(setting.Description);
            }

            text.AppendLine("  GITHUB_TOKEN, GH_TOKEN      A GitHub token (prefer --token-file or systemd's LoadCredential=github-token).");
            text.AppendLine();
            text.AppendLine("Switch variables take 1 or 0 (true/false, yes/no).");
            text.AppendLine();
            text.AppendLine("Exit codes:");
            text.AppendLine("  0  nothing needed, refreshed, postponed (runner busy), dry run, clean stop; --health: OK; --check-config: all good");
            text.AppendLine("  1  a refresh failed (the runner was left registered as before); --health: WARNING");
            text.AppendLine("  2  a bad setting, argument or file (the message names it); --health: CRITICAL; --check-config: a check failed");
            text.AppendLine();
            text.AppendLine("Examples:");
            text.AppendLine("  runner-token-refresh --check-and-refresh --dry-run --runner-dir /home/runner/actions-runner");
            text.AppendLine("  runner-token-refresh --check-config --runner-dir /home/runner/actions-runner --token-file /etc/github-runner/github-token");
            text.AppendLine("  runner-token-refresh --daemon --config /etc/github-runner/runners.json");
            text.AppendLine("  runner-token-refresh --health --config /etc/github-runner/runners.json --max-age 600");
            return text.ToString();
        }
    }
}
