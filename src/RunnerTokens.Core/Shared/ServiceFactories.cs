using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RunnerTokens.Shared;

/// <summary>
/// What the packages' registrations build their services with. Each service is registered with a factory that calls
/// its constructor rather than by its type, so the container reflects over no constructor: under Native AOT that
/// reflection was a quarter of a one-shot check's time (issue 11).
/// </summary>
internal static class ServiceFactories
{
    /// <summary>The service of type <typeparamref name="T"/>; throws when none is registered, as constructor injection does.</summary>
    public static T Get<T>(this IServiceProvider services)
        where T : notnull => services.GetRequiredService<T>();

    /// <summary>
    /// The <see cref="ILogger{T}"/> the container would inject, made by the logger factory as the container's own
    /// <see cref="Logger{T}"/> is, without closing the open generic registration by reflection.
    /// </summary>
    public static ILogger<T> LoggerFor<T>(this IServiceProvider services) => services.GetRequiredService<ILoggerFactory>().CreateLogger<T>();
}
