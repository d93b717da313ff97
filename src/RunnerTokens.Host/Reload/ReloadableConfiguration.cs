using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace RunnerTokens.Host.Reload;

/// <summary>
/// The daemon's settings, which a reload replaces as a whole: the refresh options are bound from <see cref="Current"/>,
/// and the options monitor hears of each replacement through the change token, so the engine takes the new runners and
/// settings at its next check.
/// </summary>
internal sealed class ReloadableConfiguration(IConfiguration initial) : IOptionsChangeTokenSource<RunnerTokenRefreshOptions>
{
    private readonly Lock _gate = new();
    private volatile IConfiguration _current = initial;
    private CancellationTokenSource _changed = new();

    public IConfiguration Current => _current;

    public string? Name => Options.DefaultName;

    public IChangeToken GetChangeToken()
    {
        lock (_gate)
        {
            return new CancellationChangeToken(_changed.Token);
        }
    }

    /// <summary>Puts <paramref name="next"/> in place and tells the options monitor.</summary>
    public void Replace(IConfiguration next)
    {
        CancellationTokenSource fired;
        lock (_gate)
        {
            _current = next;
            fired = _changed;
            _changed = new CancellationTokenSource();
        }

        try
        {
            fired.Cancel();
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
        {
            // The monitor validates the new options as it hears of them; the engine reports the failure at its next
            // check and goes on with the runners it had.
        }
        finally
        {
            fired.Dispose();
        }
    }
}
