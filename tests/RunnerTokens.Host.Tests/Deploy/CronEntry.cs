using System.Globalization;

namespace RunnerTokens.Host.Tests.Deploy;

/// <summary>One entry of a cron file: when, as whom, what.</summary>
internal sealed record CronEntry(string[] Schedule, string User, string Command)
{
    /// <summary>
    /// Gets the longest time between two runs, for a schedule that runs every hour of every day (the last four fields
    /// <c>*</c>); the minute field may be <c>*</c>, <c>*/N</c>, <c>A-B</c>, <c>A-B/N</c> or a list of these.
    /// </summary>
    public TimeSpan LongestGap
    {
        get
        {
            if (Schedule[1..].Any(f => f != "*"))
            {
                throw new NotSupportedException($"only an hourly-repeating schedule is read here: '{string.Join(' ', Schedule)}'");
            }

            var minutes = Schedule[0].Split(',').SelectMany(Expand).Distinct().Order().ToList();
            var gaps = minutes.Zip(minutes.Skip(1), (a, b) => b - a).Append(60 - minutes[^1] + minutes[0]);
            return TimeSpan.FromMinutes(gaps.Max());
        }
    }

    private static IEnumerable<int> Expand(string part)
    {
        var (range, step) = part.Split('/') is [var r, var s] ? (r, int.Parse(s, CultureInfo.InvariantCulture)) : (part, 1);
        var (from, to) = range == "*" ? (0, 59)
            : range.Split('-') is [var a, var b] ? (int.Parse(a, CultureInfo.InvariantCulture), int.Parse(b, CultureInfo.InvariantCulture))
            : (int.Parse(range, CultureInfo.InvariantCulture), int.Parse(range, CultureInfo.InvariantCulture));
        for (var minute = from; minute <= to; minute += step)
        {
            yield return minute;
        }
    }
}
