using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Serilog;
using ThrottleFs.Configuration;
using ThrottleFs.Control;
using ThrottleFs.FileSystem;
using ThrottleFs.Hosting;
using ThrottleFs.Platform.Windows.Dokan;
using ThrottleFs.Platform.Windows.Passthrough;
using ThrottleFs.Qos;
using static Interop.Dokan;

namespace ThrottleFs.Platform.Windows.Tests.Dokan;

/// <summary>
/// A Dokan volume without Windows: the portable passthrough of a temporary folder under the core's mount stack (the
/// throttle and control layers the FUSE host serves), behind a <see cref="DokanDispatcher"/> mounted on a
/// <see cref="RecordingDokanLibrary"/>. Every call goes through the operations table's function pointers, with a
/// DOKAN_FILE_INFO in native memory, as dokan2 makes it; the clock is virtual.
/// </summary>
internal sealed unsafe class CallbackVolume : IDisposable
{
    public const string MountPoint = @"T:\";

    private readonly string _configDirectory = Directory.CreateTempSubdirectory("throttlefs-dokan-config-").FullName;
    private readonly PortablePassthroughFileSystem _backing;
    private readonly MountStack _stack;
    private readonly DokanMount _mount;

    public CallbackVolume(string config = """{ "logging": { "level": "Fatal" } }""", TimeSpan? maxWait = null, IRequestors? requestors = null)
    {
        Folder = Directory.CreateTempSubdirectory("throttlefs-dokan-").FullName;
        var configPath = Path.Combine(_configDirectory, "throttlefs.json");
        File.WriteAllText(configPath, config);
        var source = new ConfigSource(configPath, []);
        var options = new MountOptions(source, source.Load()) { Source = Folder, MountPoint = MountPoint, Foreground = true };
        _backing = new PortablePassthroughFileSystem(Folder, Owner.Uid, Owner.Gid);
        _stack = MountStack.Build(options, _backing, new MountOwner(Owner.Uid, Owner.Gid), new NoProcessNames(), Clock);
        Library = new RecordingDokanLibrary(Clock);
        WaitClock = new ObservedClock(Clock);
        var wait = new RequestWait(Library, WaitClock, DriverTimeout, maxWait);
        Dispatcher = new DokanDispatcher(_stack.FileSystem, requestors ?? new FixedRequestors(Owner), wait, new DokanVolume("ThrottleFs", 0x5EED, CaseSensitive: false), new LoggerConfiguration().CreateLogger());
        _mount = DokanMount.Start(Library, Dispatcher, MountPoint, DriverTimeout, readOnly: false);
    }

    public static TimeSpan DriverTimeout { get; } = TimeSpan.FromSeconds(60);

    public static RequestContext Owner { get; } = new(1000, 1000, 4242);

    public VirtualClock Clock { get; } = new();

    public RecordingDokanLibrary Library { get; }

    /// <summary>The clock as the waits of reads and writes see it: a new timer means a Dokan thread is now blocked.</summary>
    public ObservedClock WaitClock { get; }

    public DokanDispatcher Dispatcher { get; }

    /// <summary>The backing folder.</summary>
    public string Folder { get; }

    public DokanOperations* Operations => Library.Operations;

    public DokanOptions* Options => Library.Options;

    public string Backing(string relative) => Path.Combine(Folder, relative.Replace('\\', '/').TrimStart('/'));

    /// <summary>ZwCreateFile; on success the returned block holds the open (close it with <see cref="Close"/>).</summary>
    public int Create(string path, uint access, uint disposition, out DokanFileInfoBlock info, uint options = 0, uint attributes = Win32.AttributeNormal)
    {
        info = new DokanFileInfoBlock(Options);
        var security = default(DokanIoSecurityContext);
        security.DesiredAccess = access;
        fixed (char* name = path)
        {
            return Operations->ZwCreateFile(name, &security, access, attributes, 7, disposition, options, info.Pointer);
        }
    }

    /// <summary>Opens an existing file or directory for <paramref name="access"/>, asserting it worked.</summary>
    public DokanFileInfoBlock Open(string path, uint access = Win32.GenericRead, uint options = 0)
    {
        Assert.Equal(NtStatus.Success, Create(path, access, Win32.Open, out var info, options));
        return info;
    }

    /// <summary>Cleanup and CloseFile, as the last handle of an open goes.</summary>
    public void Close(string path, DokanFileInfoBlock info)
    {
        fixed (char* name = path)
        {
            Operations->Cleanup(name, info.Pointer);
            Operations->CloseFile(name, info.Pointer);
        }

        info.Dispose();
    }

    public void Cleanup(string path, DokanFileInfoBlock info)
    {
        fixed (char* name = path)
        {
            Operations->Cleanup(name, info.Pointer);
        }
    }

    public void CloseFile(string path, DokanFileInfoBlock info)
    {
        fixed (char* name = path)
        {
            Operations->CloseFile(name, info.Pointer);
        }

        info.Dispose();
    }

    public int Read(string path, DokanFileInfoBlock info, long offset, int length, out byte[] data)
    {
        var buffer = (byte*)NativeMemory.Alloc((nuint)Math.Max(length, 1));
        try
        {
            uint read;
            int status;
            fixed (char* name = path)
            {
                status = Operations->ReadFile(name, buffer, (uint)length, &read, offset, info.Pointer);
            }

            data = new Span<byte>(buffer, (int)read).ToArray();
            return status;
        }
        finally
        {
            NativeMemory.Free(buffer);
        }
    }

    public int Write(string path, DokanFileInfoBlock info, long offset, byte[] data, out uint written)
    {
        var buffer = (byte*)NativeMemory.Alloc((nuint)Math.Max(data.Length, 1));
        try
        {
            data.CopyTo(new Span<byte>(buffer, data.Length));
            uint count;
            int status;
            fixed (char* name = path)
            {
                status = Operations->WriteFile(name, buffer, (uint)data.Length, &count, offset, info.Pointer);
            }

            written = count;
            return status;
        }
        finally
        {
            NativeMemory.Free(buffer);
        }
    }

    public int Flush(string path, DokanFileInfoBlock info)
    {
        fixed (char* name = path)
        {
            return Operations->FlushFileBuffers(name, info.Pointer);
        }
    }

    public int GetInformation(string path, DokanFileInfoBlock info, out ByHandleFileInformation information)
    {
        ByHandleFileInformation result;
        int status;
        fixed (char* name = path)
        {
            status = Operations->GetFileInformation(name, &result, info.Pointer);
        }

        information = result;
        return status;
    }

    public int SetAttributes(string path, DokanFileInfoBlock info, uint attributes)
    {
        fixed (char* name = path)
        {
            return Operations->SetFileAttributes(name, attributes, info.Pointer);
        }
    }

    public int SetTimes(string path, DokanFileInfoBlock info, long? creation, long? lastAccess, long? lastWrite)
    {
        var times = stackalloc FileTime[3];
        times[0] = FileTime.FromValue(creation ?? 0);
        times[1] = FileTime.FromValue(lastAccess ?? 0);
        times[2] = FileTime.FromValue(lastWrite ?? 0);
        fixed (char* name = path)
        {
            return Operations->SetFileTime(name, creation is null ? null : &times[0], lastAccess is null ? null : &times[1], lastWrite is null ? null : &times[2], info.Pointer);
        }
    }

    public int SetEndOfFile(string path, DokanFileInfoBlock info, long length)
    {
        fixed (char* name = path)
        {
            return Operations->SetEndOfFile(name, length, info.Pointer);
        }
    }

    public int SetAllocationSize(string path, DokanFileInfoBlock info, long size)
    {
        fixed (char* name = path)
        {
            return Operations->SetAllocationSize(name, size, info.Pointer);
        }
    }

    public int DeleteFile(string path, DokanFileInfoBlock info)
    {
        fixed (char* name = path)
        {
            return Operations->DeleteFile(name, info.Pointer);
        }
    }

    public int DeleteDirectory(string path, DokanFileInfoBlock info)
    {
        fixed (char* name = path)
        {
            return Operations->DeleteDirectory(name, info.Pointer);
        }
    }

    public int Move(string path, string newPath, bool replace, DokanFileInfoBlock info)
    {
        fixed (char* name = path, newName = newPath)
        {
            return Operations->MoveFile(name, newName, replace ? 1 : 0, info.Pointer);
        }
    }

    /// <summary>FindFiles on an open directory: the entries FillFindData received, by name.</summary>
    public int Find(string path, DokanFileInfoBlock info, out Dictionary<string, Win32FindData> entries)
    {
        FoundEntries.Value = [];
        int status;
        fixed (char* name = path)
        {
            status = Operations->FindFiles(name, &Fill, info.Pointer);
        }

        entries = FoundEntries.Value!;
        return status;
    }

    /// <summary>Writes a whole file through the volume: create (or overwrite), write, close.</summary>
    public void WriteAll(string path, byte[] data)
    {
        Assert.Equal(NtStatus.Success, Create(path, Win32.GenericWrite, Win32.Create, out var info));
        Assert.Equal(NtStatus.Success, Write(path, info, 0, data, out var written));
        Assert.Equal((uint)data.Length, written);
        Close(path, info);
    }

    public void Dispose()
    {
        _mount.Dispose();
        _stack.Dispose();
        _backing.Dispose();
        Directory.Delete(Folder, recursive: true);
        Directory.Delete(_configDirectory, recursive: true);
    }

    private static readonly ThreadLocal<Dictionary<string, Win32FindData>?> FoundEntries = new();

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvStdcall)])]
    private static int Fill(Win32FindData* data, DokanFileInfo* info)
    {
        var name = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(data->FileName).ToString();
        FoundEntries.Value![name] = *data;
        return 0;
    }

    private sealed class NoProcessNames : IProcessNames
    {
        public string? NameOf(uint pid) => "test";

        public string? ExecutableOf(uint pid) => "test";
    }
}

/// <summary>Every request comes from the same user.</summary>
internal sealed unsafe class FixedRequestors(RequestContext context) : IRequestors
{
    public RequestContext Identify(DokanFileInfo* info) => context with { Pid = info->ProcessId };
}
