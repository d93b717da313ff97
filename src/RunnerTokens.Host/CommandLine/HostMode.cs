namespace RunnerTokens.Host.CommandLine;

internal enum HostMode
{
    None,
    CheckAndRefresh,
    Daemon,
    Health,
    CheckConfig,
}
