using System.Diagnostics;
using System.Globalization;
using System.Text;
using ThrottleFs.FileSystem;
using static Interop.Sys;

namespace ThrottleFs.Platform.Linux.Fuse;

/// <summary>
/// Attaching a FUSE connection to a mount point and taking it away again: mount(2) with the /dev/fuse descriptor as
/// root, fusermount3 (which hands the descriptor back over a socket) otherwise.
/// </summary>
internal static unsafe class FuseMount
{
    public const string DevicePath = "/dev/fuse";

    /// <summary>Mounts and returns the /dev/fuse descriptor to serve. Throws <see cref="IOException"/> with a message a user can act on.</summary>
    public static int Mount(string source, string mountPoint, bool rootIsDirectory, int maxRead, IReadOnlyList<string> extraOptions)
    {
        var asRoot = GetEUid() == 0;
        var (flags, data) = SplitOptions(asRoot ? extraOptions.Where(o => o != "allow_other").ToList() : extraOptions);

        // As root the mount serves every user (VMs run as their own users); a normal user's mount serves that user,
        // since fusermount3 allows allow_other only when /etc/fuse.conf says user_allow_other (add -o allow_other then).
        var options = $"default_permissions{(asRoot ? ",allow_other" : "")},max_read={maxRead}{data}";
        return asRoot
            ? MountAsRoot(source, mountPoint, rootIsDirectory, flags, options)
            : MountWithFusermount(source, mountPoint, $"{options},{string.Join(',', extraOptions)}".TrimEnd(','));
    }

    /// <summary>
    /// Unmounts; a busy mount is detached lazily (<paramref name="detached"/>): gone from the tree, but served until
    /// the files open on it are closed. fusermount3, for a normal user, always detaches.
    /// </summary>
    public static Errno Unmount(string mountPoint, out bool detached)
    {
        detached = false;
        if (GetEUid() != 0)
        {
            detached = true;
            return RunFusermount(["-u", "-z", "--", mountPoint]) == 0 ? Errno.Success : Errno.EPERM;
        }

        if (Umount2(mountPoint, 0) == 0)
        {
            return Errno.Success;
        }

        var error = LastError;
        detached = error == Errno.EBUSY && Umount2(mountPoint, MNT_DETACH) == 0;
        return detached ? Errno.Success : error;
    }

    /// <summary>Whether a filesystem is mounted exactly at <paramref name="path"/> (per /proc/self/mountinfo).</summary>
    public static bool IsMountPoint(string path)
    {
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 4 && Unescape(fields[4]) == path)
            {
                return true;
            }
        }

        return false;
    }

    private static int MountAsRoot(string source, string mountPoint, bool rootIsDirectory, ulong flags, string options)
    {
        var fd = OpenDevice();
        var rootMode = rootIsDirectory ? "40000" : "100000";
        var data = $"fd={fd},rootmode={rootMode},user_id={GetEUid()},group_id={GetEGid()},{options}";
        if (Interop.Sys.Mount(source, mountPoint, "fuse.throttlefs", flags, data) == 0)
        {
            return fd;
        }

        var error = LastError;
        Close(fd);
        throw new IOException($"mount(2) of '{mountPoint}' failed: {Describe(error)}");
    }

    private static int MountWithFusermount(string source, string mountPoint, string options)
    {
        if (!File.Exists(DevicePath))
        {
            throw new IOException($"{DevicePath} is missing: load the fuse module (modprobe fuse) or run where FUSE is available.");
        }

        var fds = stackalloc int[2];
        if (SocketPair(AF_UNIX, SOCK_STREAM, 0, fds) < 0)
        {
            throw new IOException($"socketpair failed: {LastError}");
        }

        // fusermount3 finds its end of the socket by number in _FUSE_COMMFD; .NET leaves inherited descriptors open
        // across exec, so the child end only has to be free of FD_CLOEXEC, and ours must have it.
        Fcntl(fds[1], F_SETFD, FD_CLOEXEC);
        var fsname = source.Replace(",", "\\,", StringComparison.Ordinal);
        var start = new ProcessStartInfo("fusermount3")
        {
            ArgumentList = { "-o", $"nosuid,nodev,fsname={fsname},subtype=throttlefs,{options}", "--", mountPoint },
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["_FUSE_COMMFD"] = fds[0].ToString(CultureInfo.InvariantCulture);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Close(fds[0]);
            Close(fds[1]);
            throw new IOException("mounting as a normal user needs fusermount3: install fuse3 (apt-get install fuse3) or run as root.");
        }

        Close(fds[0]);
        var fd = ReceiveDescriptor(fds[1]);
        Close(fds[1]);
        var stderr = process.StandardError.ReadToEnd().Trim();
        process.WaitForExit();
        if (fd < 0 || process.ExitCode != 0)
        {
            if (fd >= 0)
            {
                Close(fd);
            }

            throw new IOException($"fusermount3 could not mount '{mountPoint}': {(stderr.Length > 0 ? stderr : "no descriptor received")}");
        }

        return fd;
    }

    private static int ReceiveDescriptor(int socket)
    {
        byte data;
        var control = stackalloc byte[24]; // CMSG_SPACE(sizeof(int))
        var iov = new IoVec { Base = &data, Length = 1 };
        var message = new MessageHeader { Iov = &iov, IovLength = 1, Control = control, ControlLength = 24 };
        var received = RecvMsg(socket, &message, 0);
        if (received <= 0 || message.ControlLength < 20)
        {
            return -1;
        }

        // struct cmsghdr { size_t len; int level; int type; } then the int: level SOL_SOCKET, type SCM_RIGHTS.
        return *(int*)(control + 12) == SCM_RIGHTS ? *(int*)(control + 16) : -1;
    }

    /// <summary>open(2) of /dev/fuse, read-write and close-on-exec, with <paramref name="flags"/>: a descriptor, or −1 with errno set.</summary>
    internal static int OpenDevice(int flags)
    {
        fixed (byte* path = "/dev/fuse\0"u8)
        {
            return Open(path, O_RDWR | O_CLOEXEC | flags, 0);
        }
    }

    private static int OpenDevice()
    {
        var fd = OpenDevice(0);
        if (fd < 0)
        {
            var error = LastError;
            throw new IOException(error == Errno.ENOENT
                ? $"{DevicePath} is missing: load the fuse module (modprobe fuse) or run where FUSE is available."
                : $"cannot open {DevicePath}: {Describe(error)}");
        }

        return fd;
    }

    private static int RunFusermount(string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo("fusermount3") { UseShellExecute = false, RedirectStandardError = true };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }

    // Generic mount flags go to mount(2) as flags; everything else is FUSE's own option string. The mount is nosuid and
    // nodev unless -o suid or -o dev asks otherwise (root only: fusermount3 decides for other users).
    private static (ulong Flags, string Data) SplitOptions(IReadOnlyList<string> options)
    {
        var flags = MS_NOSUID | MS_NODEV;
        var data = new StringBuilder();
        foreach (var option in options)
        {
            switch (option)
            {
                case "ro": flags |= 1; break;
                case "suid": flags &= ~MS_NOSUID; break;
                case "dev": flags &= ~MS_NODEV; break;
                case "noexec": flags |= 8; break;
                case "sync": flags |= 16; break;
                case "dirsync": flags |= 128; break;
                case "noatime": flags |= 1024; break;
                case "nodiratime": flags |= 2048; break;
                case "relatime": flags |= 1 << 21; break;
                case "strictatime": flags |= 1 << 24; break;
                case "lazytime": flags |= 1 << 25; break;
                case "rw" or "exec" or "nosuid" or "nodev" or "async" or "atime" or "diratime" or "norelatime" or "nostrictatime" or "nolazytime": break;
                case "default_permissions": break; // always on: the kernel checks permissions from our attributes
                default: data.Append(',').Append(option); break;
            }
        }

        return (flags, data.ToString());
    }

    private static string Describe(Errno error) => error switch
    {
        Errno.EPERM => "permission denied (EPERM); mount as root, or install fuse3 to mount as a normal user",
        Errno.ENOENT => "the mount point does not exist (ENOENT)",
        Errno.ENOTDIR => "the mount point's type does not match the source (a directory source needs a directory mount point)",
        Errno.EBUSY => "the mount point is busy (EBUSY)",
        Errno.ENODEV => "the kernel has no FUSE support (ENODEV); load the fuse module",
        _ => error.ToString(),
    };

    private static string Unescape(string field) => field.Replace("\\040", " ", StringComparison.Ordinal)
        .Replace("\\011", "\t", StringComparison.Ordinal).Replace("\\012", "\n", StringComparison.Ordinal)
        .Replace("\\134", "\\", StringComparison.Ordinal);
}
