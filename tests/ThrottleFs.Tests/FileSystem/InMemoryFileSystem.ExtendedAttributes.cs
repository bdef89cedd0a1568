using System.Text;
using ThrottleFs.FileSystem;

namespace ThrottleFs.Tests.FileSystem;

/// <summary>Extended attributes in a dictionary per node, with setxattr's create/replace flags and getxattr's size probing.</summary>
internal sealed partial class InMemoryFileSystem
{
    /// <summary>setxattr(2) flags.</summary>
    public const int XattrCreate = 1, XattrReplace = 2;

    public Errno SetExtendedAttribute(in RequestContext context, ulong node, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, int flags)
    {
        lock (_lock)
        {
            var error = Find(node, out var found);
            var key = Encoding.UTF8.GetString(name);
            var exists = error == Errno.Success && found.ExtendedAttributes.ContainsKey(key);
            error = error != Errno.Success ? error
                : key.Length == 0 ? Errno.EINVAL
                : key.Length > NameMax ? Errno.ERANGE
                : (flags & XattrCreate) != 0 && exists ? Errno.EEXIST
                : (flags & XattrReplace) != 0 && !exists ? Errno.ENODATA
                : Errno.Success;
            if (error == Errno.Success)
            {
                found.ExtendedAttributes[key] = value.ToArray();
                found.Changed = Now();
            }

            return error;
        }
    }

    public Errno GetExtendedAttribute(ulong node, ReadOnlySpan<byte> name, Span<byte> value, out int length)
    {
        length = 0;
        lock (_lock)
        {
            var error = Find(node, out var found);
            if (error != Errno.Success)
            {
                return error;
            }

            if (!found.ExtendedAttributes.TryGetValue(Encoding.UTF8.GetString(name), out var stored))
            {
                return Errno.ENODATA;
            }

            return Answer(stored, value, out length);
        }
    }

    /// <summary>The names, each followed by a NUL, in ordinal order.</summary>
    public Errno ListExtendedAttributes(ulong node, Span<byte> list, out int length)
    {
        length = 0;
        lock (_lock)
        {
            var error = Find(node, out var found);
            var names = error == Errno.Success
                ? Encoding.UTF8.GetBytes(string.Concat(found.ExtendedAttributes.Keys.Order(StringComparer.Ordinal).Select(key => key + "\0")))
                : [];
            return error != Errno.Success ? error : Answer(names, list, out length);
        }
    }

    public Errno RemoveExtendedAttribute(in RequestContext context, ulong node, ReadOnlySpan<byte> name)
    {
        lock (_lock)
        {
            var error = Find(node, out var found);
            error = error != Errno.Success ? error : found.ExtendedAttributes.Remove(Encoding.UTF8.GetString(name)) ? Errno.Success : Errno.ENODATA;
            if (error == Errno.Success)
            {
                found.Changed = Now();
            }

            return error;
        }
    }

    // An empty buffer asks for the size; one too small gets ERANGE.
    private static Errno Answer(byte[] bytes, Span<byte> buffer, out int length)
    {
        length = bytes.Length;
        if (buffer.IsEmpty)
        {
            return Errno.Success;
        }

        if (buffer.Length < bytes.Length)
        {
            length = 0;
            return Errno.ERANGE;
        }

        bytes.CopyTo(buffer);
        return Errno.Success;
    }
}
