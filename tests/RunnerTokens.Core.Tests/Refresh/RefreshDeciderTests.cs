using RunnerTokens.Refresh;

namespace RunnerTokens.Tests.Refresh;

public sealed class RefreshDeciderTests
{
    private static readonly DateTimeOffset _now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan _threshold = TimeSpan.FromSeconds(300);

    [Theory]
    [InlineData(301, false)]
    [InlineData(300, false)]
    [InlineData(299, true)]
    [InlineData(1, true)]
    [InlineData(0, true)]
    [InlineData(-3600, true)]
    public void Decide_ExpiryAgainstThreshold_RefreshesOnlyWhenLessThanThresholdAway(int secondsLeft, bool refresh)
    {
        var decision = Decide(ExpiryObservation.Expires("cache", _now.AddSeconds(secondsLeft)));

        Assert.Equal(refresh, decision.Refresh);
        Assert.Equal(secondsLeft, decision.SecondsLeft);
        Assert.Equal("cache", decision.Source);
    }

    [Fact]
    public void Decide_ExpiryReached_SaysExpired()
    {
        var decision = Decide(ExpiryObservation.Expires("cache", _now));

        Assert.Equal("expired 0 s ago", decision.Reason);
    }

    [Fact]
    public void Decide_NoSources_RefreshesAsUnknown()
    {
        var decision = Decide();

        Assert.True(decision.Refresh);
        Assert.Contains("no expiry source is registered", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_InvalidBeatsValid()
    {
        var decision = Decide(ExpiryObservation.ValidNoExpiry("github"), ExpiryObservation.Invalid("diag-log", "deleted from the server"));

        Assert.True(decision.Refresh);
        Assert.Equal("diag-log", decision.Source);
        Assert.Null(decision.SecondsLeft);
    }

    [Fact]
    public void Decide_ValidBeatsUnknown()
    {
        var decision = Decide(ExpiryObservation.Unknown("files", "nothing cached"), ExpiryObservation.ValidNoExpiry("github"));

        Assert.False(decision.Refresh);
        Assert.Equal("github", decision.Source);
    }

    [Fact]
    public void Decide_ExpiryBeatsValid()
    {
        var decision = Decide(ExpiryObservation.ValidNoExpiry("github"), ExpiryObservation.Expires("cache", _now.AddSeconds(10)));

        Assert.True(decision.Refresh);
        Assert.Equal("cache", decision.Source);
    }

    [Fact]
    public void Decide_TwoExpiries_TheEarlierDecidesWithItsSecondsAndSource()
    {
        var decision = Decide(ExpiryObservation.Expires("cache", _now.AddSeconds(900)), ExpiryObservation.Expires("app", _now.AddSeconds(600)));

        Assert.False(decision.Refresh);
        Assert.Equal("app", decision.Source);
        Assert.Equal(600, decision.SecondsLeft);
        Assert.Equal("expires in 600 s, beyond the threshold of 300 s", decision.Reason);
    }

    [Fact]
    public void Decide_TwoExpiriesAtOneTime_TheFirstListedIsNamed()
    {
        var decision = Decide(ExpiryObservation.Expires("cache", _now.AddSeconds(120)), ExpiryObservation.Expires("app", _now.AddSeconds(120)));

        Assert.True(decision.Refresh);
        Assert.Equal("cache", decision.Source);
        Assert.Equal("expires in 120 s, within the threshold of 300 s", decision.Reason);
    }

    [Fact]
    public void Decide_TwoInvalid_TheFirstListedDecidesWithItsReason()
    {
        var decision = Decide(
            ExpiryObservation.Expires("cache", _now.AddSeconds(900)),
            ExpiryObservation.Invalid("runner-files", ".runner is missing"),
            ExpiryObservation.Invalid("diag-log", "deleted from the server"));

        Assert.True(decision.Refresh);
        Assert.True(decision.Invalid);
        Assert.Equal("runner-files", decision.Source);
        Assert.Equal("registration invalid: .runner is missing", decision.Reason);
    }

    [Fact]
    public void Decide_NoSourceCanTell_NamesEverySourceAndWhatEachSaid()
    {
        var decision = Decide(ExpiryObservation.Unknown("runner-files", "nothing cached"), ExpiryObservation.Doubtful("diag-log", "no listener log"));

        Assert.True(decision.Refresh);
        Assert.Equal("runner-files,diag-log", decision.Source);
        Assert.Equal("expiry unknown (runner-files: nothing cached; diag-log: no listener log)", decision.Reason);
    }

    [Fact]
    public void Decide_RegistrationPolicy_AnExpiryDoesNotRefreshAndEverySourceIsNamed()
    {
        var decision = RefreshDecider.Decide(
            [ExpiryObservation.Expires("cache", _now.AddSeconds(-60)), ExpiryObservation.ValidNoExpiry("github")], _now, _threshold, RefreshPolicy.Registration);

        Assert.False(decision.Refresh);
        Assert.Equal("cache,github", decision.Source);
        Assert.Null(decision.SecondsLeft);
    }

    [Fact]
    public void Decide_RegistrationPolicy_InvalidStillRefreshes()
    {
        var decision = RefreshDecider.Decide(
            [ExpiryObservation.ValidNoExpiry("github"), ExpiryObservation.Invalid("diag-log", "deleted from the server")], _now, _threshold, RefreshPolicy.Registration);

        Assert.True(decision.Refresh);
        Assert.Equal("diag-log", decision.Source);
    }

    private static RefreshDecision Decide(params ExpiryObservation[] observations) =>
        RefreshDecider.Decide(observations, _now, _threshold, RefreshPolicy.Expiry);
}
