namespace RunnerTokens.GitHub;

/// <summary>Reads environment variables; tests give their own instead of changing the process's environment.</summary>
internal interface IEnvironmentVariables
{
    string? Get(string name);
}

/// <summary>The process's environment.</summary>
internal sealed class ProcessEnvironmentVariables : IEnvironmentVariables
{
    public string? Get(string name) => Environment.GetEnvironmentVariable(name);
}
