using System.Collections;
using System.CommandLine;
using System.CommandLine.Invocation;
using RunnerTokens.Host;
using RunnerTokens.Host.CommandLine;

var environment = Environment.GetEnvironmentVariables()
    .Cast<DictionaryEntry>()
    .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);
var application = new RefreshApplication(environment, Console.Out, Console.Error);

// The plain argument forms (one mode, known flags each given once), as cron, a timer or a monitoring system give them:
// straight to the run, without building the command line. What the run throws is reported by System.CommandLine, as
// for every other form: its message, exit 1.
if (RefreshCommand.TryParsePlain(args) is { } plain)
{
    try
    {
        return await application.RunAsync(plain, CancellationToken.None);
    }
#pragma warning disable CA1031 // Not swallowed: System.CommandLine's handler reports it.
    catch (Exception ex)
#pragma warning restore CA1031
    {
        return await RefreshCommand.Create((_, _) => Task.FromException<int>(ex)).Parse(args)
            .InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }
}

var command = RefreshCommand.Create(application.RunAsync);
var parse = command.Parse(args);
if (parse.Errors.Count > 0 && RefreshCommand.BadSwitchValues(args).ToList() is { Count: > 0 } badSwitches)
{
    foreach (var message in badSwitches)
    {
        await Console.Error.WriteLineAsync($"runner-token-refresh: {message}");
    }

    return ExitCodes.InvalidConfiguration;
}

if (parse.Errors.Count > 0)
{
    // System.CommandLine's own report (each error, then "Did you mean …?" for a mistyped flag), without the whole
    // help; exit 2 as for every bad argument.
    if (parse.Action is ParseErrorAction report)
    {
        report.ShowHelp = false;
        report.ShowTypoCorrections = true;
    }

    parse.Invoke(new InvocationConfiguration { Output = Console.Error, Error = Console.Error });
    await Console.Error.WriteLineAsync("Try 'runner-token-refresh --help'.");
    return ExitCodes.InvalidConfiguration;
}

// No termination timeout: the command handles its signals itself (the daemon through the host, the one-shot in
// RefreshApplication), so that a refresh in progress is finished or rolled back, never cut off after two seconds.
return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
