using System.Diagnostics.Metrics;

namespace RunnerTokens.Tests.Metrics;

/// <summary>
/// Meters of one test only: a collector or listener that matched every meter named RunnerTokens could take the
/// instrument of another test's sink, running in parallel, and see its measurements, or none of this one's.
/// </summary>
internal sealed class ScopedMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
        _meters.Add(meter);
        return meter;
    }

    public void Dispose()
    {
        foreach (var meter in _meters)
        {
            meter.Dispose();
        }
    }
}
