using System.Text;
using ThrottleFs.FileSystem;
using static ThrottleFs.Platform.Linux.Tests.Mounts.Libc;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Posix;

internal sealed unsafe partial class PosixSession
{
    /// <summary>With <paramref name="noFollow"/>, the l- variant: the attributes of a symlink itself.</summary>
    public void SetXattr(string name, string attribute, string value, int flags, Errno? expect = Errno.Success, bool noFollow = false)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        int result;
        fixed (byte* v = bytes)
        {
            result = noFollow ? LSetXattr(PathOf(name), attribute, v, bytes.Length, flags) : Libc.SetXattr(PathOf(name), attribute, v, bytes.Length, flags);
        }

        Record($"{(noFollow ? "l" : "")}setxattr({Display(name)}, {attribute}, {Describe(bytes)}, flags {flags})", result, expect);
    }

    public void GetXattr(string name, string attribute, int size, Errno? expect = Errno.Success, bool noFollow = false)
    {
        var buffer = new byte[size];
        nint length;
        fixed (byte* v = buffer)
        {
            length = noFollow
                ? LGetXattr(PathOf(name), attribute, size == 0 ? null : v, size)
                : Libc.GetXattr(PathOf(name), attribute, size == 0 ? null : v, size);
        }

        Record($"{(noFollow ? "l" : "")}getxattr({Display(name)}, {attribute}, size {size})", length, expect, () => size == 0 ? $"{length}" : $"{length}: {Describe(buffer.AsSpan(0, (int)length))}");
    }

    public void ListXattr(string name, int size, Errno? expect = Errno.Success, bool noFollow = false)
    {
        var buffer = new byte[size];
        nint length;
        fixed (byte* l = buffer)
        {
            length = noFollow ? LListXattr(PathOf(name), size == 0 ? null : l, size) : Libc.ListXattr(PathOf(name), size == 0 ? null : l, size);
        }

        Record($"{(noFollow ? "l" : "")}listxattr({Display(name)}, size {size})", length, expect, () =>
        {
            if (size == 0)
            {
                return $"{length}";
            }

            var names = Encoding.UTF8.GetString(buffer, 0, (int)length).Split('\0', StringSplitOptions.RemoveEmptyEntries);
            Array.Sort(names, StringComparer.Ordinal);
            return $"{length}: {string.Join(' ', names)}";
        });
    }

    public void RemoveXattr(string name, string attribute, Errno? expect = Errno.Success) =>
        Record($"removexattr({Display(name)}, {attribute})", Libc.RemoveXattr(PathOf(name), attribute), expect);
}
