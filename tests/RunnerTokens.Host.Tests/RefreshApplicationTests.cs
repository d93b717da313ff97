namespace RunnerTokens.Host.Tests;

public sealed class RefreshApplicationTests
{
    [Fact]
    public void Copy_CarriesEverySetting()
    {
        // Every settable option, changed from its default, must reach the engine: a new option that Copy forgets fails here.
        var from = new RunnerTokenRefreshOptions();
        var properties = typeof(RunnerTokenRefreshOptions).GetProperties().Where(p => p.CanWrite).ToList();
        foreach (var property in properties)
        {
            property.SetValue(from, property.PropertyType switch
            {
                var t when t == typeof(TimeSpan) => (TimeSpan)property.GetValue(from)! + TimeSpan.FromSeconds(7),
                var t when t == typeof(int) => (int)property.GetValue(from)! + 7,
                var t when t == typeof(bool) => !(bool)property.GetValue(from)!,
                var t when t == typeof(string) => "/changed/" + property.Name,
                var t when t == typeof(RefreshPolicy) => RefreshPolicy.Registration,
                var t => throw new InvalidOperationException($"Teach this test the type {t} of {property.Name}."),
            });
        }

        from.Runners.Add(new RunnerOptions { Organization = "acme" });
        var to = new RunnerTokenRefreshOptions();

        RefreshApplication.Copy(from, to);

        Assert.All(properties, p => Assert.Equal(p.GetValue(from), p.GetValue(to)));
        Assert.Equal(from.Runners, to.Runners);
    }
}
