namespace RunnerTokens.Host.Tests.FaultMatrix;

/// <summary>What a row of the fault matrix tries.</summary>
internal enum MatrixKind
{
    /// <summary>Something outside breaks: GitHub, config.sh, systemctl, a signal, the disk, a file in the way, a race.</summary>
    Fault,

    /// <summary>An operator's wrong setting or a malformed runner file: rejected at start, nothing touched.</summary>
    BadInput,
}

/// <summary>
/// One row of the fault matrix, as the README's table shows it: what is tried, what happens, and the test that shows it.
/// Every catalog (<c>FaultCatalog</c>, <c>BadInputCatalog</c>) lists its rows; <c>FaultMatrixReadmeTests</c>
/// holds the README's table and counts to them.
/// </summary>
/// <param name="Kind">A fault or a bad input.</param>
/// <param name="Id">A short, stable id (<c>api-502-then-ok</c>), also the theory's case name.</param>
/// <param name="What">The fault or input, in an operator's words.</param>
/// <param name="Expected">What happens: end state, exit code, message.</param>
/// <param name="Test">The test method that shows it (<c>FaultMatrixTests.Faults</c>).</param>
internal sealed record MatrixRow(MatrixKind Kind, string Id, string What, string Expected, string Test)
{
    public override string ToString() => Id;
}
