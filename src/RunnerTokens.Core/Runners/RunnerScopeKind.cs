namespace RunnerTokens;

/// <summary>Where a self-hosted runner is registered on GitHub.</summary>
public enum RunnerScopeKind
{
    /// <summary>An organisation runner: <c>https://github.com/ORG</c>.</summary>
    Organization,

    /// <summary>A repository runner: <c>https://github.com/OWNER/REPO</c>.</summary>
    Repository,

    /// <summary>An enterprise runner: <c>https://github.com/enterprises/ENTERPRISE</c>.</summary>
    Enterprise,
}
