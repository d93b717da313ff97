using RunnerTokens.Shared;

namespace RunnerTokens.Tests.Shared;

public sealed class MinuteBudgetTests
{
    private static readonly DateTimeOffset Minute = new(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TryTake_MoreThanTheMinuteAllows_RefusesTheRestUntilTheNextMinuteAndSaysWhichRefusalIsTheFirst()
    {
        var budget = new MinuteBudget(3);

        var taken = new List<(bool Taken, bool FirstRefused)>();
        for (var i = 0; i < 5; i++)
        {
            taken.Add((budget.TryTake(Minute.AddSeconds(i * 10), out var first), first));
        }

        var nextMinute = budget.TryTake(Minute.AddMinutes(1), out _);

        Assert.Equal([(true, false), (true, false), (true, false), (false, true), (false, false)], taken);
        Assert.True(nextMinute);
    }

    [Fact]
    public void TryTake_ClockSetBack_StartsAMinuteOfItsOwn()
    {
        var budget = new MinuteBudget(1);
        budget.TryTake(Minute, out _);

        Assert.True(budget.TryTake(Minute.AddMinutes(-5), out _));
        Assert.False(budget.TryTake(Minute.AddMinutes(-5).AddSeconds(30), out _));
    }
}
