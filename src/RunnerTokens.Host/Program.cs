using System.Collections;
using System.CommandLine;
using RunnerTokens.Host;
using RunnerTokens.Host.CommandLine;

var environment = Environment.GetEnvironmentVariables()
    .Cast<DictionaryEntry>()
    .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);
var application = new RefreshApplication(environment, Console.Out, Console.Error);
var command = RefreshCommand.Create(application.RunAsync);
var parse = command.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var parseError in parse.Errors)
    {
        await Console.Error.WriteLineAsync($"runner-token-refresh: {parseError.Message}");
    }

    await Console.Error.WriteLineAsync("Try 'runner-token-refresh --help'.");
    return ExitCodes.InvalidConfiguration;
}

// No termination timeout: the command handles its signals itself (the daemon through the host, the one-shot in
// RefreshApplication), so that a refresh in progress is finished or rolled back, never cut off after two seconds.
return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
