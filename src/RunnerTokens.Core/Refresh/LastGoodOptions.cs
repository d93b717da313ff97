using Microsoft.Extensions.Options;

namespace RunnerTokens.Refresh;

/// <summary>
/// The options as they are now, through a monitor (a reload may change them), or the last good ones while a change
/// fails validation: the engine logs why (event 137) and goes on with what it had, and so do the daemon's wait and the
/// health check. Before any good value, the validation failure is thrown.
/// </summary>
internal sealed class LastGoodOptions<TOptions>(IOptionsMonitor<TOptions> monitor)
    where TOptions : class
{
    private volatile TOptions? _good;

    public TOptions Value
    {
        get
        {
            try
            {
                return _good = monitor.CurrentValue;
            }
            catch (OptionsValidationException) when (_good is { } good)
            {
                return good;
            }
        }
    }
}
