using System.Reflection;
using System.Runtime.InteropServices;

namespace ThrottleFs.Platform.Linux.Tests;

/// <summary>Every kernel struct we declare has exactly the size and field offsets gcc gives it from linux/fuse.h.</summary>
public class KernelStructLayoutTests
{
    public static TheoryData<string, string?, int> Layouts()
    {
        var data = new TheoryData<string, string?, int>();
        foreach (var (type, field, value) in KernelStructLayouts.Expected)
        {
            data.Add(type, field, value);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void MatchesTheKernelHeader(string type, string? field, int expected)
    {
        var structType = typeof(Fuse.FuseDispatcher).Assembly.GetType($"ThrottleFs.Platform.Linux.Fuse.Kernel.{type}", throwOnError: true)!;
        if (field is null)
        {
            Assert.Equal(expected, Marshal.SizeOf(structType));
        }
        else
        {
            Assert.NotNull(structType.GetField(field, BindingFlags.Public | BindingFlags.Instance));
            Assert.Equal(expected, (int)Marshal.OffsetOf(structType, field));
        }
    }
}
