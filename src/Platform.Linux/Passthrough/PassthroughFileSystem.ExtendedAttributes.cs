using ThrottleFs.FileSystem;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>
/// Extended attributes. Files and directories are reached through their /proc descriptor link, which no rename can
/// redirect. A symlink's link would lead to its target, and Linux has no xattr call on an O_PATH descriptor, so a
/// symlink is reached by the path it has now, with the l* calls (a rename at that very moment can still race).
/// </summary>
internal sealed unsafe partial class PassthroughFileSystem
{
    public Errno SetExtendedAttribute(in RequestContext context, ulong node, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, int flags)
    {
        Span<byte> native = stackalloc byte[NativeName.BufferSize];
        var error = ResolveXattr(node, name, native, out var path, out var symlink);
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
        var error = ResolveXattr(node, name, native, out var path, out var symlink);
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
        var error = ResolveXattr(node, "-"u8, native, out var path, out var symlink);
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
        var error = ResolveXattr(node, name, native, out var path, out var symlink);
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

    // Where to apply an xattr call (see the class comment), and the attribute name NUL-terminated.
    private Errno ResolveXattr(ulong node, ReadOnlySpan<byte> name, Span<byte> native, out byte[] path, out bool symlink)
    {
        path = [];
        symlink = false;
        if (_nodes.Find(node) is not { } found)
        {
            return Errno.ENOENT;
        }

        if (!NativeName.TryCopy(name, native))
        {
            return Errno.ERANGE;
        }

        Span<byte> proc = stackalloc byte[ProcPath.MaxLength];
        ProcPath.Format(found.Fd < 0 ? _singleParentFd : found.Fd, proc);
        var error = StatNode(found, out var attributes);
        if (error != Errno.Success)
        {
            return error;
        }

        symlink = attributes.Type == FileModes.SymbolicLink;
        if (!symlink)
        {
            path = proc.ToArray();
            return Errno.Success;
        }

        var target = new byte[4097];
        nint length;
        fixed (byte* p = proc)
        fixed (byte* t = target)
        {
            length = ReadLinkAt(AT_FDCWD, p, t, target.Length - 1);
        }

        if (length < 0)
        {
            return LastError;
        }

        path = target[..((int)length + 1)]; // NUL-terminated: the array was zeroed
        return Errno.Success;
    }
}
