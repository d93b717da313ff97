namespace RunnerTokens.Tests.Refresh;

public sealed class RegistrationTokenTests
{
    [Fact]
    public void ToString_NeverShowsTheToken()
    {
        var token = new RegistrationToken("AABBCCSECRET", DateTimeOffset.UnixEpoch);

        Assert.DoesNotContain("AABBCCSECRET", token.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("AABBCCSECRET", $"{token}", StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Constructor_NoToken_Throws(string? token) =>
        Assert.ThrowsAny<ArgumentException>(() => new RegistrationToken(token!, DateTimeOffset.UnixEpoch));

    [Fact]
    public void ExpiryObservation_Factories_RejectMissingSourceOrReason()
    {
        Assert.ThrowsAny<ArgumentException>(() => ExpiryObservation.ValidNoExpiry(""));
        Assert.ThrowsAny<ArgumentException>(() => ExpiryObservation.Invalid("files", ""));
        Assert.ThrowsAny<ArgumentException>(() => ExpiryObservation.Unknown("files", null!));
    }

    [Fact]
    public void RunnerContext_BadUrl_Throws() =>
        Assert.Throws<FormatException>(() => new RunnerContext("r", "/tmp", "https://github.com", "/tmp/state"));
}
