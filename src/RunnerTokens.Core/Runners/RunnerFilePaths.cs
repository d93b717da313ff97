using RunnerTokens.State;

namespace RunnerTokens;

/// <summary>
/// The paths of the runner's files that every check looks at, made once per runner: a daemon of 1,000 runners made
/// each anew at every check, six strings per runner.
/// </summary>
/// <param name="directory">The runner's installation folder.</param>
/// <param name="stateDirectory">The runner's state folder.</param>
internal sealed class RunnerFilePaths(string directory, string stateDirectory)
{
    /// <summary>Gets the runner's <c>.runner</c>.</summary>
    public string RunnerFile { get; } = Path.Combine(directory, RunnerSettingsFile.FileName);

    /// <summary>Gets the runner's <c>.credentials</c>.</summary>
    public string CredentialsFile { get; } = Path.Combine(directory, ".credentials");

    /// <summary>Gets the runner's <c>state.json</c> in its state folder.</summary>
    public string StateFile { get; } = Path.Combine(stateDirectory, RunnerStateStore.FileName);

    /// <summary>Gets the runner's registration record in its state folder.</summary>
    public string RegistrationRecord { get; } = Path.Combine(stateDirectory, RegistrationRecordStore.FileName);

    /// <summary>Gets the runner's lock file in its state folder.</summary>
    public string LockFile { get; } = Path.Combine(stateDirectory, RunnerLock.FileName);
}
