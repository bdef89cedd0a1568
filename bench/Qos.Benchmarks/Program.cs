using BenchmarkDotNet.Running;

namespace ThrottleFs.Qos.Benchmarks;

public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
