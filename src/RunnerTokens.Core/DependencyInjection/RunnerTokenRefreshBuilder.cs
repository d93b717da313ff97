using Microsoft.Extensions.DependencyInjection;

namespace RunnerTokens;

internal sealed record RunnerTokenRefreshBuilder(IServiceCollection Services) : IRunnerTokenRefreshBuilder;
