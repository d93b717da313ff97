using Microsoft.Extensions.DependencyInjection;

namespace RunnerTokens;

/// <summary>Returned by <c>AddRunnerTokenRefresh()</c>; the other RunnerTokens packages add their parts through it.</summary>
public interface IRunnerTokenRefreshBuilder
{
    /// <summary>Gets the service collection the engine is registered in.</summary>
    IServiceCollection Services { get; }
}
