using System.Text;
using ThrottleFs.FileSystem;

namespace ThrottleFs.Control;

/// <summary>
/// The per-file extended attributes: <c>user.throttlefs.limits</c> (read: the layers a file's requests pass; set: the
/// file's own limits; remove: drop its live changes) and <c>user.throttlefs.stats</c> (read only: its statistics).
/// They belong to regular files, work also where there is no control directory (a single file mounted onto a file),
/// and only the mount's owner and root may change limits through them.
/// </summary>
internal sealed class ControlAttributes(IFileSystem files, ControlPanel panel, IProcessNames processes)
{
    private static ReadOnlySpan<byte> Limits => "user.throttlefs.limits"u8;

    private static ReadOnlySpan<byte> Statistics => "user.throttlefs.stats"u8;

    /// <summary>Whether <paramref name="name"/> is one of ours.</summary>
    public static bool IsOurs(ReadOnlySpan<byte> name) => name.SequenceEqual(Limits) || name.SequenceEqual(Statistics);

    /// <summary>With an empty <paramref name="value"/>, only reports the size needed.</summary>
    public Errno Get(ulong node, ReadOnlySpan<byte> name, Span<byte> value, out int length)
    {
        length = 0;
        if (!IsRegularFile(node) || files.PathOf(node) is not { } path)
        {
            return Errno.ENODATA;
        }

        var text = Encoding.UTF8.GetBytes(name.SequenceEqual(Limits) ? panel.DescribeChain(path) : panel.DescribeStatistics(path));
        length = text.Length;
        if (value.IsEmpty)
        {
            return Errno.Success;
        }

        if (value.Length < text.Length)
        {
            return Errno.ERANGE;
        }

        text.CopyTo(value);
        return Errno.Success;
    }

    public Errno Set(in RequestContext context, ulong node, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        if (!name.SequenceEqual(Limits))
        {
            return Errno.EPERM; // the statistics are read only
        }

        var error = ThrottledPath(context, node, out var path);
        if (error != Errno.Success)
        {
            return error;
        }

        return panel.SetFileLimits(path!, Encoding.UTF8.GetString(value).Trim('\0', ' ', '\n'), Caller.Describe(context, processes)) ? Errno.Success : Errno.EINVAL;
    }

    public Errno Remove(in RequestContext context, ulong node, ReadOnlySpan<byte> name)
    {
        if (!name.SequenceEqual(Limits))
        {
            return Errno.EPERM;
        }

        var error = ThrottledPath(context, node, out var path);
        if (error == Errno.Success)
        {
            panel.ClearFile(path!, Caller.Describe(context, processes));
        }

        return error;
    }

    private bool IsRegularFile(ulong node) =>
        files.GetAttributes(node, null, out var attributes) == Errno.Success && attributes.Type == FileModes.RegularFile;

    private Errno ThrottledPath(in RequestContext context, ulong node, out string? path)
    {
        path = null;
        if (!IsRegularFile(node))
        {
            return Errno.EPERM; // limits belong to files
        }

        if (!panel.MayChange(context.Uid))
        {
            return Errno.EACCES;
        }

        path = files.PathOf(node);
        return path is null ? Errno.ENOENT : Errno.Success;
    }
}
