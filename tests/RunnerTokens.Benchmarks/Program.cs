using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(RunnerTokens.Benchmarks.CheckBenchmarks).Assembly).Run(args);
