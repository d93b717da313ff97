using System.Collections.Concurrent;
using System.Diagnostics;

namespace RunnerTokens.TestKit.Telemetry;

/// <summary>
/// Records the spans of one test: those of <see cref="RunnerTokenRefreshTelemetry.ActivitySourceName"/> started under
/// the recorder's own root span, so tests running at the same time do not see each other's.
/// </summary>
public sealed class ActivityRecorder : IDisposable
{
    private static readonly ActivitySource TestSource = new("RunnerTokens.Tests");
    private readonly ActivityListener _listener;
    private readonly Activity _root;
    private readonly ConcurrentQueue<Activity> _stopped = new();

    public ActivityRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is RunnerTokenRefreshTelemetry.ActivitySourceName or "RunnerTokens.Tests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.TraceId == _root?.TraceId && activity != _root)
                {
                    _stopped.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
        _root = TestSource.StartActivity("test") ?? throw new InvalidOperationException("the test's root span was not sampled");
    }

    /// <summary>The spans stopped so far, in the order they stopped.</summary>
    public IReadOnlyList<Activity> Stopped => [.. _stopped];

    public void Dispose()
    {
        _root.Dispose();
        _listener.Dispose();
    }
}
