using RunnerTokens.Shared;

namespace RunnerTokens.Tests.Shared;

public sealed class LogTextTests
{
    [Theory]
    [InlineData(0.35, "350 ms")]
    [InlineData(2.25, "2.2 s")]
    [InlineData(45, "45 s")]
    [InlineData(60, "1 min")]
    [InlineData(250.9, "4 min 10 s")]
    [InlineData(3600, "1 h")]
    [InlineData(3900, "1 h 5 min")]
    [InlineData(90000, "1 d 1 h")]
    [InlineData(-30, "-30 s")]
    public void Duration_ReadsAsAnOperatorWould(double seconds, string expected) =>
        Assert.Equal(expected, LogText.Duration(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Time_UtcToTheSecond_NoFractionDigits()
    {
        var time = new DateTimeOffset(2026, 11, 26, 16, 4, 5, 123, TimeSpan.FromHours(1)).AddTicks(4567);

        Assert.Equal("2026-11-26 15:04:05Z", LogText.Time(time));
        Assert.Equal("15:04:05Z", LogText.TimeOfDay(time));
    }
}
