using BenchmarkDotNet.Running;

namespace ThrottleFs.Cluster.Benchmarks;

public static class Program
{
    /// <summary><c>saturate [HOSTS...]</c> runs the Redis traffic measurement; anything else goes to BenchmarkDotNet.</summary>
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "saturate")
        {
            var hosts = args.Length > 1 ? args[1..].Select(int.Parse).ToArray() : [1, 4];
            foreach (var count in hosts)
            {
                await Saturation.RunAsync(count, iops: 10_000, TimeSpan.FromSeconds(10));
            }

            return 0;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
