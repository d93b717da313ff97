using RunnerTokens.TestKit.Prometheus;

namespace RunnerTokens.Tests.Metrics;

/// <summary>The test kit's parser refuses what Prometheus and node_exporter's textfile collector refuse, so a file it accepts is one they read.</summary>
public sealed class PrometheusTextTests
{
    [Fact]
    public void Parse_WellFormedFile_ReadsFamiliesLabelsAndValues()
    {
        var families = PrometheusText.Parse(
            "# HELP a_total Things, with a \\\\ and a \\n.\n# TYPE a_total counter\na_total{runner=\"x\\\"y\\\\z\\n\"} 3\na_total{runner=\"b\",} 4\n"
            + "# Any comment\n\n# TYPE b gauge\nb -1.5e3\nc NaN\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum 2\nh_count 1\n");

        Assert.Equal(["a_total", "b", "c", "h"], families.Select(f => f.Name));
        Assert.Equal("Things, with a \\ and a \n.", families.Single("a_total").Help);
        Assert.Equal(3, families.Value("a_total", ("runner", "x\"y\\z\n")));
        Assert.Equal(-1500, families.Value("b"));
        Assert.Equal("untyped", families.Single("c").Type);
        Assert.Equal(3, families.Single("h").Samples.Count);
    }

    [Theory]
    [InlineData("a 1", "line feed")]
    [InlineData("# TYPE a gauge\n# TYPE a gauge\na 1\n", "second TYPE")]
    [InlineData("# HELP a x\n# HELP a y\na 1\n", "second HELP")]
    [InlineData("# TYPE a gauge\na 1\n# TYPE a gauge\n", "after its samples")]
    [InlineData("# TYPE a gauge\na{r=\"1\"} 1\n# TYPE b gauge\nb 1\na{r=\"2\"} 2\n", "split across blocks")]
    [InlineData("a{r=\"1\"} 1\nb 1\na{r=\"2\"} 2\n", "split across blocks")]
    [InlineData("a{r=\"1\"} 1\na{r=\"1\"} 2\n", "appears twice")]
    [InlineData("a{r=\"x\\ty\"} 1\n", "invalid escape")]
    [InlineData("a{r=\"x} 1\n", "not closed")]
    [InlineData("a{r=x} 1\n", "expected")]
    [InlineData("a{1r=\"x\"} 1\n", "invalid label name")]
    [InlineData("a{__name__=\"x\"} 1\n", "reserved")]
    [InlineData("a{r=\"1\",r=\"2\"} 1\n", "twice")]
    [InlineData("1a 1\n", "invalid metric name")]
    [InlineData("a-b 1\n", "invalid metric name")]
    [InlineData("a one\n", "not a float")]
    [InlineData("a 1,5\n", "not a float")]
    [InlineData("a\n", "no value")]
    [InlineData("a 1 1700000000000\n", "timestamps")]
    [InlineData("# TYPE a gauge_ish\n", "none of")]
    [InlineData("# HELP a bad \\t escape\n", "invalid escape")]
    public void Parse_WhatPrometheusRefuses_Throws(string text, string why)
    {
        var ex = Assert.Throws<FormatException>(() => PrometheusText.Parse(text));

        Assert.Contains(why, ex.Message, StringComparison.Ordinal);
    }
}
