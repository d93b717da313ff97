namespace RunnerTokens;

/// <summary>Whether a runner is running a job, as an <see cref="IRunnerBusyProbe"/> can tell.</summary>
public enum RunnerBusyState
{
    /// <summary>Not running a job (or the server no longer lists the runner): it may be stopped.</summary>
    Idle,

    /// <summary>Running a job: never stop it.</summary>
    Busy,

    /// <summary>Cannot tell. The engine never stops a runner whose registration is otherwise valid on an unknown state.</summary>
    Unknown,
}
