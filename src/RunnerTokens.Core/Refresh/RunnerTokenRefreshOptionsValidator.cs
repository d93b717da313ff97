using Microsoft.Extensions.Options;
using RunnerTokens.Runners;

namespace RunnerTokens.Refresh;

/// <summary>Checks what the attributes cannot: runners present, their URLs, directories, and no two sharing a state folder or metrics file.</summary>
internal sealed class RunnerTokenRefreshOptionsValidator(RunnerContextFactory factory) : IValidateOptions<RunnerTokenRefreshOptions>
{
    public ValidateOptionsResult Validate(string? name, RunnerTokenRefreshOptions options)
    {
        if (options.Runners.Count == 0)
        {
            return ValidateOptionsResult.Fail(
                $"{nameof(RunnerTokenRefreshOptions.Runners)} is empty; configure at least one runner (RUNNER_ORG/--org with RUNNER_DIR/--runner-dir, or --config).");
        }

        var errors = new List<string>();
        var runners = new List<RunnerContext>();
        for (var i = 0; i < options.Runners.Count; i++)
        {
            if (factory.TryCreate(options, i, errors) is { } runner)
            {
                runners.Add(runner);
            }
        }

        AddDuplicates(errors, runners, r => r.Name, "name", StringComparer.OrdinalIgnoreCase);
        AddDuplicates(errors, runners, r => r.StateDirectory, "state folder", StringComparer.Ordinal);
        AddDuplicates(errors, runners.Where(r => r.MetricsFile is not null), r => r.MetricsFile!, "metrics file", StringComparer.Ordinal);

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void AddDuplicates(
        List<string> errors, IEnumerable<RunnerContext> runners, Func<RunnerContext, string> key, string what, StringComparer comparer)
    {
        foreach (var group in runners.GroupBy(key, comparer).Where(g => g.Count() > 1))
        {
            errors.Add($"Runners {string.Join(", ", group.Select(r => $"'{r.Name}'"))} share the {what} '{group.Key}'; give each runner its own.");
        }
    }
}
