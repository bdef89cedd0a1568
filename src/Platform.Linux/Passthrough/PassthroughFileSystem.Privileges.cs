using ThrottleFs.FileSystem;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Passthrough;

/// <summary>
/// What an unprivileged write or truncation takes away (the kernel asks: FUSE_HANDLE_KILLPRIV_V2), as Linux's own
/// filesystems do it: the set-user-ID bit; the set-group-ID bit when the file has group execute or the caller is not
/// in its group; the <c>security.capability</c> attribute. Nothing of this is checked again for a file known to have
/// none, so writers pay for it once per open.
/// </summary>
internal sealed unsafe partial class PassthroughFileSystem
{
    private const uint SetUserId = 0x800;
    private const uint GroupExecute = 0x8;

    private static ReadOnlySpan<byte> CapabilityAttribute => "security.capability\0"u8;

    public Errno RemovePrivileges(in RequestContext context, ulong node, out bool removed)
    {
        removed = false;
        if (_nodes.Find(node) is not { IsVirtual: false } found)
        {
            return Errno.ENOENT;
        }

        if (found.HasNoPrivileges)
        {
            return Errno.Success;
        }

        using var descriptor = _descriptors.Lease(found, out var error);
        if (error != Errno.Success)
        {
            return error;
        }

        error = NodeStat.Of(descriptor.Fd, out NodeAttributes attributes);
        if (error != Errno.Success || attributes.Type != FileModes.RegularFile)
        {
            return error;
        }

        Span<byte> proc = stackalloc byte[ProcPath.MaxLength];
        ProcPath.Format(descriptor.Fd, proc);
        var mode = attributes.Mode & 0xFFF;
        var keep = mode & ~SetUserId;
        if ((mode & FileModes.SetGroupId) != 0 && ((mode & GroupExecute) != 0 || !CallerGroups.Contains(context, attributes.Gid)))
        {
            keep &= ~FileModes.SetGroupId;
        }

        fixed (byte* p = proc)
        fixed (byte* capability = CapabilityAttribute)
        {
            if (keep != mode && (error = Check(FChModAt(AT_FDCWD, p, keep, 0))) != Errno.Success)
            {
                return error;
            }

            // Most files have none: ENODATA (or EOPNOTSUPP where the backing store has no such attributes) is fine.
            var capabilityGone = RemoveXattr(p, capability) == 0;
            if (!capabilityGone && LastError is not (Errno.ENODATA or Errno.EOPNOTSUPP))
            {
                return LastError;
            }

            removed = keep != mode || capabilityGone;
        }

        // A set-group-ID bit kept for a caller in the group must be looked at again for the next one.
        found.HasNoPrivileges = (keep & (SetUserId | FileModes.SetGroupId)) == 0;
        return Errno.Success;
    }
}
