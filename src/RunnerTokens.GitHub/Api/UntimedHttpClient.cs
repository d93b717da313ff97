using Octokit;
using Octokit.Internal;

namespace RunnerTokens.GitHub;

/// <summary>
/// Octokit's HTTP client without Octokit's own time limit on each request. For a request with a
/// <see cref="IRequest.Timeout"/> (100 s unless set), <see cref="HttpClientAdapter"/> makes a timed
/// <see cref="CancellationTokenSource"/> and a linked one and never disposes them: each request's timer stays queued
/// for 100 s after the answer, holding the request and its answer alive, and fires then. A daemon that asks about
/// 1,000 runners at its start kept 1,000 answers for those 100 s, then woke its threads 1,000 times.
/// </summary>
/// <remarks>
/// Nothing is left unbounded: each attempt ends at <see cref="GitHubOptions.RequestTimeout"/> (a limit on the
/// engine's <see cref="TimeProvider"/>, disposed with the attempt), and <see cref="HttpClient.Timeout"/> backs it up
/// (<see cref="SetRequestTimeout"/>).
/// </remarks>
internal sealed class UntimedHttpClient(HttpClientAdapter inner) : IHttpClient
{
    public Task<IResponse> Send(IRequest request, CancellationToken cancellationToken, Func<object, object>? preprocessResponseBody = null)
    {
        // Octokit's Connection builds each request as a Request, whose zero Timeout means "no timer of its own".
        if (request is Request own)
        {
            own.Timeout = TimeSpan.Zero;
        }

        return inner.Send(request, cancellationToken, preprocessResponseBody!);
    }

    public void SetRequestTimeout(TimeSpan timeout) => inner.SetRequestTimeout(timeout);

    public void Dispose() => inner.Dispose();
}
