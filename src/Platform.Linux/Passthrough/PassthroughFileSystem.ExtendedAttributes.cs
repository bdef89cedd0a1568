using ThrottleFs.FileSystem;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>
/// Extended attributes. Files and directories are reached through their /proc descriptor link, which no rename can
/// redirect, of the node's descriptor lent for the call. A symlink's link would lead to its target, and Linux has no
/// xattr call on an O_PATH descriptor, so a symlink is reached by the path it has now, with the l* calls (a rename at
/// that very moment can still race); one whose descriptor has no path (reopened from its handle after the kernel
/// dropped its dentries) fails with ESTALE rather than reach another file, until a lookup gives it one again.
/// </summary>
internal sealed unsafe partial class PassthroughFileSystem
{
    public Errno SetExtendedAttribute(in RequestContext context, ulong node, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, int flags)
    {
        Span<byte> native = stackalloc byte[NativeName.BufferSize];
        using var descriptor = ResolveXattr(node, name, native, out var path, out var symlink, out var error);
        if (error != Errno.Success)
        {
            return error;
        }

        InvalidatePrivileges(node);
        fixed (byte* p = path)
        fixed (byte* n = native)
        fixed (byte* v = value)
        {
            return Check(symlink ? LSetXattr(p, n, v, value.Length, flags) : SetXattr(p, n, v, value.Length, flags));
        }
    }

    public Errno GetExtendedAttribute(ulong node, ReadOnlySpan<byte> name, Span<byte> value, out int length)
    {
        length = 0;
        Span<byte> native = stackalloc byte[NativeName.BufferSize];
        using var descriptor = ResolveXattr(node, name, native, out var path, out var symlink, out var error);
        if (error != Errno.Success)
        {
            return error;
        }

        fixed (byte* p = path)
        fixed (byte* n = native)
        fixed (byte* v = value)
        {
            return Sized(symlink ? LGetXattr(p, n, v, value.Length) : GetXattr(p, n, v, value.Length), out length);
        }
    }

    public Errno ListExtendedAttributes(ulong node, Span<byte> list, out int length)
    {
        length = 0;
        Span<byte> native = stackalloc byte[NativeName.BufferSize];
        using var descriptor = ResolveXattr(node, "-"u8, native, out var path, out var symlink, out var error);
        if (error != Errno.Success)
        {
            return error;
        }

        fixed (byte* p = path)
        fixed (byte* l = list)
        {
            return Sized(symlink ? LListXattr(p, l, list.Length) : ListXattr(p, l, list.Length), out length);
        }
    }

    public Errno RemoveExtendedAttribute(in RequestContext context, ulong node, ReadOnlySpan<byte> name)
    {
        Span<byte> native = stackalloc byte[NativeName.BufferSize];
        using var descriptor = ResolveXattr(node, name, native, out var path, out var symlink, out var error);
        if (error != Errno.Success)
        {
            return error;
        }

        InvalidatePrivileges(node);
        fixed (byte* p = path)
        fixed (byte* n = native)
        {
            return Check(symlink ? LRemoveXattr(p, n) : RemoveXattr(p, n));
        }
    }

    // A capability may have been set (or an attribute the next check must see changed).
    private void InvalidatePrivileges(ulong node)
    {
        if (_nodes.Find(node) is { } found)
        {
            found.HasNoPrivileges = false;
        }
    }

    private static Errno Sized(nint result, out int length)
    {
        length = (int)Math.Max(result, 0);
        return result < 0 ? LastError : Errno.Success;
    }

    // Where to apply an xattr call (see the class comment), and the attribute name NUL-terminated. The path may be
    // the lent descriptor's /proc link: dispose the lease only once the call is done.
    private NodeDescriptor ResolveXattr(ulong node, ReadOnlySpan<byte> name, Span<byte> native, out byte[] path, out bool symlink, out Errno error)
    {
        path = [];
        symlink = false;
        if (_nodes.Find(node) is not { } found)
        {
            error = Errno.ENOENT;
            return NodeDescriptor.None;
        }

        if (!NativeName.TryCopy(name, native))
        {
            error = Errno.ERANGE;
            return NodeDescriptor.None;
        }

        var descriptor = _descriptors.Lease(found, out error);
        if (error == Errno.Success)
        {
            error = XattrPath(descriptor.Fd < 0 ? _singleParentFd : descriptor.Fd, out path, out symlink);
        }

        return descriptor;
    }

    // The path xattr calls reach the inode fd names by: its /proc link, or for a symlink the path it has now.
    private static Errno XattrPath(int fd, out byte[] path, out bool symlink)
    {
        Span<byte> proc = stackalloc byte[ProcPath.MaxLength];
        ProcPath.Format(fd, proc);
        path = [];
        var error = NodeStat.Of(fd, out NodeAttributes attributes);
        symlink = attributes.Type == FileModes.SymbolicLink;
        if (error != Errno.Success || !symlink)
        {
            path = proc.ToArray();
            return error;
        }

        var target = new byte[4097];
        if (CurrentPath(fd, target.AsSpan(0, 4096)) is not { } length)
        {
            return Errno.ESTALE;
        }

        path = target[..(length + 1)]; // NUL-terminated: the array was zeroed
        return Errno.Success;
    }
}
