using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RunnerTokens.Host;

/// <summary>
/// <see cref="IOptions{TOptions}"/> and <see cref="IOptionsMonitor{TOptions}"/> for the one-shot check's container,
/// registered for their closed types: built on first use from the configure, post-configure and validate
/// registrations, as the open generic <c>UnnamedOptionsManager&lt;T&gt;</c> is, but with no reflection over
/// constructors to make it. A single check reloads nothing, so the monitor's value never changes.
/// </summary>
internal sealed class OneShotOptions<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(IServiceProvider services)
    : IOptions<TOptions>, IOptionsMonitor<TOptions>
    where TOptions : class
{
    private readonly Lazy<TOptions> _value = new(() => new OptionsFactory<TOptions>(
        services.GetServices<IConfigureOptions<TOptions>>(),
        services.GetServices<IPostConfigureOptions<TOptions>>(),
        services.GetServices<IValidateOptions<TOptions>>()).Create(Options.DefaultName));

    /// <summary>The options, bound and validated on first use; a validation failure is thrown again at each use.</summary>
    public TOptions Value => _value.Value;

    public TOptions CurrentValue => _value.Value;

    public TOptions Get(string? name) => _value.Value;

    public IDisposable? OnChange(Action<TOptions, string?> listener) => null;

    public static void Register(IServiceCollection services)
    {
        services.AddSingleton(sp => new OneShotOptions<TOptions>(sp));
        services.AddSingleton<IOptions<TOptions>>(sp => sp.GetRequiredService<OneShotOptions<TOptions>>());
        services.AddSingleton<IOptionsMonitor<TOptions>>(sp => sp.GetRequiredService<OneShotOptions<TOptions>>());
    }
}
