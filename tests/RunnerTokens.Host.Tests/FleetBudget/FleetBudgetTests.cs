using System.Globalization;
using System.Text;

namespace RunnerTokens.Host.Tests.FleetBudget;

/// <summary>
/// The API budget of one host over a simulated day (<see cref="FleetSimulation"/>), held to issue 11's goals, and the
/// README's fleet arithmetic, generated from the same days: a change that costs requests fails here until the README
/// says so. <c>RUNNERTOKENS_UPDATE_README=1</c> rewrites the README's section instead of failing.
/// </summary>
public sealed class FleetBudgetTests
{
    private const string Start = "<!-- fleet-budget:start (generated from tests/RunnerTokens.Host.Tests/FleetBudget; RUNNERTOKENS_UPDATE_README=1 dotnet test --filter FleetBudgetTests rewrites it) -->";
    private const string End = "<!-- fleet-budget:end -->";

    /// <summary>The hosts the README shows, one simulated day each.</summary>
    private static readonly HostSetup[] Setups =
    [
        new(RefreshPolicy.Registration, HostMode.Daemon, App: false, Runners: 1),
        new(RefreshPolicy.Registration, HostMode.Cron, App: false, Runners: 1),
        new(RefreshPolicy.Registration, HostMode.Daemon, App: true, Runners: 1),
        new(RefreshPolicy.Registration, HostMode.Cron, App: true, Runners: 1),
        new(RefreshPolicy.Registration, HostMode.Cron, App: true, Runners: 1, OrganisationRunners: 5000),
        new(RefreshPolicy.Registration, HostMode.Daemon, App: true, Runners: 4),
        new(RefreshPolicy.Registration, HostMode.Daemon, App: false, Runners: 16),
        new(RefreshPolicy.Registration, HostMode.Cron, App: true, Runners: 8),
        new(RefreshPolicy.Expiry, HostMode.Daemon, App: false, Runners: 1),
        new(RefreshPolicy.Expiry, HostMode.Cron, App: true, Runners: 1),
        new(RefreshPolicy.Expiry, HostMode.Daemon, App: true, Runners: 4),
    ];

    // One day per host for the whole class, simulated side by side (each has its own fake GitHub and clock).
    private static readonly Lazy<Task<DayCost[]>> Days = new(() => Task.WhenAll(Setups.Select(s => Task.Run(() => FleetSimulation.RunDayAsync(s)))));

    [Fact]
    public async Task RegistrationPolicy_SteadyState_AtMost15RequestsAnHourPerHostWhateverItsRunners()
    {
        var days = await Days.Value;

        // Hosts of 1 to 16 runners: more runners than GitHub:RegistrationChecksPerHour allows at the interval are each
        // asked about less often, so the host's hour does not grow with them.
        Assert.All(
            days.Where(d => d.Setup.Policy == RefreshPolicy.Registration),
            d => Assert.True(d.Requests <= 15, $"{d.Setup}: {d.Requests:0.##} requests an hour"));
    }

    [Fact]
    public async Task RegistrationPolicy_AtMost15RequestsInAnyHour()
    {
        var days = await Days.Value;

        // The busiest hour too, timer and cron hosts with a GitHub App included: their runs share the App's
        // installation token through the state folder, not one token per run that asks.
        Assert.All(
            days.Where(d => d.Setup.Policy == RefreshPolicy.Registration),
            d => Assert.True(d.MostInAnHour <= 15, $"{d.Setup}: {d.MostInAnHour} requests in one hour"));
    }

    [Fact]
    public async Task RegistrationPolicy_RequestsDoNotGrowWithTheOrganisation()
    {
        var days = await Days.Value;
        var alone = days.Single(d => d.Setup == new HostSetup(RefreshPolicy.Registration, HostMode.Cron, true, 1));
        var crowded = days.Single(d => d.Setup.OrganisationRunners == 5000);

        Assert.Equal(alone.Hours.Select(h => h.Count), crowded.Hours.Select(h => h.Count));
        Assert.All(crowded.Hours.SelectMany(h => h).Where(r => r.Path.EndsWith("/actions/runners", StringComparison.Ordinal)), r => Assert.StartsWith("?name=", r.Query, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RegistrationPolicy_NothingWrong_RegistersNothingAndCostsNothingAgainstThePrimaryLimit()
    {
        var days = await Days.Value;

        Assert.All(days.Where(d => d.Setup.Policy == RefreshPolicy.Registration), d =>
        {
            Assert.Equal(0, d.Registrations);
            Assert.Equal(0, d.PerHour(CountsAgainstTheLimit));
        });
    }

    [Fact]
    public async Task ExpiryPolicy_RunnersOfOneScope_ShareOneRegistrationTokenAnHour()
    {
        var days = await Days.Value;
        var four = days.Single(d => d.Setup == new HostSetup(RefreshPolicy.Expiry, HostMode.Daemon, true, 4));

        Assert.All(four.SteadyHours, h => Assert.InRange(h.Count(IsRegistrationToken), 1, 2));
        Assert.True(four.RegistrationsPerHour > 4, $"{four.RegistrationsPerHour} registrations an hour");
    }

    [Fact]
    public async Task Readme_FleetBudgetSection_IsTheSimulatedDays()
    {
        var path = Path.Combine(HostProcess.RepositoryRoot, "README.md");
        var readme = File.ReadAllText(path);
        var start = readme.IndexOf(Start, StringComparison.Ordinal);
        var end = readme.IndexOf(End, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"README.md has no fleet budget between '{Start}' and '{End}'");
        var expected = Section(await Days.Value);
        var actual = readme[(start + Start.Length)..end];
        if (actual != expected && Environment.GetEnvironmentVariable("RUNNERTOKENS_UPDATE_README") == "1")
        {
            File.WriteAllText(path, string.Concat(readme.AsSpan(0, start + Start.Length), expected, readme.AsSpan(end)));
            return;
        }

        Assert.Equal(expected, actual);
    }

    private static bool IsRegistrationToken(TestKit.GitHub.RecordedRequest r) => r.Method == "POST" && r.Path.EndsWith("/registration-token", StringComparison.Ordinal);

    private static bool IsAppJwt(TestKit.GitHub.RecordedRequest r) => r.AuthorizationScheme == "Bearer" && r.BearerToken?.Count(c => c == '.') == 2;

    /// <summary>What GitHub counts against the credential's primary limit: every answer but a 304, and not the App's own JWT calls.</summary>
    private static bool CountsAgainstTheLimit(TestKit.GitHub.RecordedRequest r) => r.StatusCode != 304 && !IsAppJwt(r) && !IsRegistrationToken(r);

    private static string Section(DayCost[] days)
    {
        var text = new StringBuilder();
        text.Append('\n');
        text.Append("| host (one organisation, a check a minute) | requests an hour | of them 304 (free) | registration tokens | App token POSTs (JWT) | counted against the primary limit | re-registrations | busiest hour |\n");
        text.Append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        foreach (var day in days)
        {
            var setup = day.Setup.OrganisationRunners > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{day.Setup}, {day.Setup.OrganisationRunners:N0} other runners in the organisation")
                : day.Setup.ToString();
            text.Append("| ").Append(setup)
                .Append(" | ").Append(Number(day.Requests))
                .Append(" | ").Append(Number(day.NotModified))
                .Append(" | ").Append(Number(day.PerHour(IsRegistrationToken)))
                .Append(" | ").Append(Number(day.PerHour(IsAppJwt)))
                .Append(" | ").Append(Number(day.PerHour(CountsAgainstTheLimit)))
                .Append(" | ").Append(Number(day.RegistrationsPerHour))
                .Append(" | ").Append(day.MostInAnHour.ToString(CultureInfo.InvariantCulture))
                .Append(" |\n");
        }

        text.Append('\n');
        text.Append("The fleet, with the same hosts (one runner each; requests an hour, against GitHub's limits):\n\n");
        text.Append("| host | 1,000 hosts: requests | counted | POSTs | 10,000 hosts: requests | counted | POSTs |\n");
        text.Append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        foreach (var day in days.Where(d => d.Setup.Runners == 1 && d.Setup.OrganisationRunners == 0))
        {
            var posts = day.PerHour(r => r.Method == "POST");
            text.Append("| ").Append(day.Setup.ToString());
            foreach (var hosts in new[] { 1_000, 10_000 })
            {
                text.Append(" | ").Append(Fleet(day.Requests * hosts))
                    .Append(" | ").Append(Fleet(day.PerHour(CountsAgainstTheLimit) * hosts))
                    .Append(" | ").Append(Fleet(posts * hosts));
            }

            text.Append(" |\n");
        }

        text.Append('\n');
        return text.ToString();

        static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

        static string Fleet(double value) => value.ToString("N0", CultureInfo.InvariantCulture);
    }
}
