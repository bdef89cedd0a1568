using ThrottleFs.FileSystem;

namespace ThrottleFs.Platform.Windows.Passthrough;

/// <summary>
/// Extended attributes: Windows has EAs and alternate data streams, but no portable call reaches either. EOPNOTSUPP is
/// what a Linux filesystem without xattrs answers, and callers (cp -a, rsync -X) go on without them.
/// </summary>
public sealed partial class PortablePassthroughFileSystem
{
    public Errno SetExtendedAttribute(in RequestContext context, ulong node, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, int flags) =>
        NoExtendedAttributes(node);

    public Errno GetExtendedAttribute(ulong node, ReadOnlySpan<byte> name, Span<byte> value, out int length)
    {
        length = 0;
        return NoExtendedAttributes(node);
    }

    public Errno ListExtendedAttributes(ulong node, Span<byte> list, out int length)
    {
        length = 0;
        return NoExtendedAttributes(node);
    }

    public Errno RemoveExtendedAttribute(in RequestContext context, ulong node, ReadOnlySpan<byte> name) => NoExtendedAttributes(node);

    private Errno NoExtendedAttributes(ulong node) => _tree.Find(node) is null ? Errno.ENOENT : Errno.EOPNOTSUPP;
}
