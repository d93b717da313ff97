using BenchmarkDotNet.Running;

// A benchmark that throws shows "NA" in its table and would still end with 0: CI's dry run (.ci/run) must see it fail.
var summaries = BenchmarkSwitcher.FromAssembly(typeof(RunnerTokens.Benchmarks.CheckBenchmarks).Assembly).Run(args);
return summaries.Any(summary => summary.HasCriticalValidationErrors || summary.Reports.Any(report => !report.Success)) ? 1 : 0;
