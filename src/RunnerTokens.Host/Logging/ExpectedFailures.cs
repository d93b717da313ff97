namespace RunnerTokens.Host.Logging;

/// <summary>
/// Failures an operator meets in normal operation (GitHub said no, config.sh or systemctl failed, a timeout, the
/// network): their message says everything, and a stack trace would only bury it. Any other exception is a bug and
/// keeps its trace.
/// </summary>
internal static class ExpectedFailures
{
    // Internal to RunnerTokens.Systemd: known by name, so that the host needs no access to it.
    private const string StepFailedException = "RunnerTokens.Systemd.StepFailedException";

    public static bool IsExpected(Exception exception) => exception switch
    {
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsExpected),
        RunnerRefreshException or Octokit.ApiException => true,
        HttpRequestException or TimeoutException or OperationCanceledException => true,
        IOException or UnauthorizedAccessException => true,
        _ => exception.GetType().FullName == StepFailedException,
    };
}
