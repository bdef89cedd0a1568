using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static Interop.Dokan;

namespace ThrottleFs.Platform.Windows.Dokan;

/// <summary>
/// What dokan2 calls: one static function per DOKAN_OPERATIONS entry, reached through an unmanaged function pointer
/// (no delegate to keep alive). Each finds its <see cref="DokanDispatcher"/> through the options' GlobalContext (a
/// GCHandle) and hands over; nothing may escape, because an exception thrown into dokan2's native frames ends the
/// process, so each one becomes STATUS_INTERNAL_ERROR for that request alone, and is logged.
/// Entries left null are done by dokan2 itself: FindFilesWithPattern (it filters FindFiles), the security
/// descriptors (it grants what the volume's default says), streams, and byte-range locks (the kernel keeps them).
/// </summary>
internal static unsafe class DokanCallbacks
{
    /// <summary>The operations table in native memory, as dokan2 keeps a pointer to it; free it with <see cref="NativeMemory.Free"/>.</summary>
    public static DokanOperations* Allocate()
    {
        var table = (DokanOperations*)NativeMemory.AllocZeroed((nuint)sizeof(DokanOperations));
        table->ZwCreateFile = &ZwCreateFile;
        table->Cleanup = &Cleanup;
        table->CloseFile = &CloseFile;
        table->ReadFile = &ReadFile;
        table->WriteFile = &WriteFile;
        table->FlushFileBuffers = &FlushFileBuffers;
        table->GetFileInformation = &GetFileInformation;
        table->FindFiles = &FindFiles;
        table->SetFileAttributes = &SetFileAttributes;
        table->SetFileTime = &SetFileTime;
        table->DeleteFile = &DeleteFile;
        table->DeleteDirectory = &DeleteDirectory;
        table->MoveFile = &MoveFile;
        table->SetEndOfFile = &SetEndOfFile;
        table->SetAllocationSize = &SetAllocationSize;
        table->GetDiskFreeSpace = &GetDiskFreeSpace;
        table->GetVolumeInformation = &GetVolumeInformation;
        table->Mounted = &Mounted;
        table->Unmounted = &Unmounted;
        return table;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvStdcall)])]
    private static int ZwCreateFile(char* fileName, DokanIoSecurityContext* securityContext, uint desiredAccess, uint fileAttributes, uint shareAccess, uint createDisposition, uint createOptions, DokanFileInfo* info)
    {
        DokanDispatcher? dispatcher = null;
        try
        {
            dispatcher = Dispatcher(info);
            return Traced(dispatcher, "ZwCreateFile", fileName, dispatcher.ZwCreateFile(fileName, desiredAccess, fileAttributes, createDisposition, createOptions, info));
        }
        catch (Exception e)
        {
            return Failed(dispatcher, "ZwCreateFile", fileName, e);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvStdcall)])]
    private static void Cleanup(char* fileName, DokanFileInfo* info)
    {
        DokanDispatcher? dispatcher = null;
        try
        {
            dispatcher = Dispatcher(info);
            dispatcher.Cleanup(fileName, info);
            Traced(dispatcher, "Cleanup", fileName, NtStatus.Success);
        }
        catch (Exception e)
        {
            Failed(dispatcher, "Cleanup", fileName, e);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvStdcall)])]
    private static void CloseFile(char* fileName, DokanFileInfo* info)
    {
        DokanDispatcher? dispatcher = null;
        try
        {
            dispatcher = Dispatcher(info);
            dispatcher.CloseFile(info);
            Traced(dispatcher, "CloseFile", fileName, NtStatus.Success);
        }
        catch (Exception e)
        {
            Failed(dispatcher, "CloseFile", fileName, e);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvStdcall)])]
    private static int ReadFile(char* fileName, void* buffer, uint bufferLength, uint* readLength, long offset, DokanFileInfo* info)
    {
        DokanDispatcher? dispatcher = null;
        try
        {
            dispatcher = Dispatcher(info);
            return Traced(dispatcher, "ReadFile", fileName, dispatcher.ReadFile(buffer, bufferLength, readLength, offset, info));
        }
        catch (Exception e)
        {
            return Failed(dispatcher, "ReadFile", fileName, e);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvStdcall)])]
    private static int WriteFile(char* fileName, void* buffer, uint bytesToWrite, uint* bytesWritten, long offset, DokanFileInfo* info)
    {
        DokanDispatcher? dispatcher = null;
        try
        {
            dispatcher = Dispatcher(info);
            return Traced(dispatcher, "WriteFile", fileName, dispatcher.WriteFile(buffer, bytesToWrite, bytesWritten, offset, info));
        }
        catch (Exception e)
        {
            return Failed(dispatcher, "WriteFile", fileName, e);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvStdcall)])]
    private static int FlushFileBuffers(char* fileName, DokanFileInfo* info)
    {
        DokanDispatcher? dispatcher = null;
        try
        {
            dispatcher = Dispatcher(info);
            return Traced(dispatcher, "FlushFileBuffers", fileName, dispatcher.FlushFileBuffers(info));
        }
        catch (Exception e)
        {
            return Failed(dispatcher, "FlushFileBuffers", fileName, e);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvStdcall)])]
    private static int GetFileInformation(char* fileName, ByHandleFileInformation* information, DokanFileInfo* info)
    {
        DokanDispatcher? dispatcher = null;
        try
        {
            dispatcher = Dispatcher(info);
            return Traced(dispatcher, "GetFileInformation", fileName, dispatcher.GetFileInformation(information, info));
        }
        catch (Exception e)
        {
            return Failed(dispatcher, "GetFileInformation", fileName, e);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvStdcall)])]
    private static int FindFiles(char* fileName, delegate* unmanaged[Stdcall]<Win32FindData*, DokanFileInfo*, int> fill, DokanFileInfo* info)
    {
        DokanDispatcher? dispatcher = null;
        try
        {
            dispatcher = Dispatcher(info);
            return Traced(dispatcher, "FindFiles", fileName, dispatcher.FindFiles(fill, info));
        }
        catch (Exception e)
        {
            return Failed(dispatcher, "FindFiles", fileName, e);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvStdcall)])]
    private static int SetFileAttributes(char* fileName, uint fileAttributes, DokanFileInfo* info)
    {
        DokanDispatcher? dispatcher = null;
        try
        {
            dispatcher = Dispatcher(info);
            return Traced(dispatcher, "SetFileAttributes", fileName, dispatcher.SetFileAttributes(fileAttributes, info));
        }
        catch (Exception e)
        {
            return Failed(dispatcher, "SetFileAttributes", fileName, e);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvStdcall)])]
    private static int SetFileTime(char* fileName, FileTime* creation, FileTime* lastAccess, FileTime* lastWrite, DokanFileInfo* info)
    {
        DokanDispatcher? dispatcher = null;
        try
        {
            dispatcher = Dispatcher(info);
            return Traced(dispatcher, "SetFileTime", fileName, dispatcher.SetFileTime(creation, lastAccess, lastWrite, info));
        }
        catch (Exception e)
        {
            return Failed(dispatcher, "SetFileTime", fileName, e);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvStdcall)])]
    private static int DeleteFile(char* fileName, DokanFileInfo* info)
    {
        DokanDispatcher? dispatcher = null;
        try
        {
            dispatcher = Dispatcher(info);
            return Traced(dispatcher, "DeleteFile", fileName, dispatcher.DeleteFile(info));
        }
        catch (Exception e)
        {
            return Failed(dispatcher, "DeleteFile", fileName, e);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvStdcall)])]
    private static int DeleteDirectory(char* fileName, DokanFileInfo* info)
    {
        DokanDispatcher? dispatcher = null;
        try
        {
            dispatcher = Dispatcher(info);
            return Traced(dispatcher, "DeleteDirectory", fileName, dispatcher.DeleteDirectory(info));
        }
        catch (Exception e)
        {
            return Failed(dispatcher, "DeleteDirectory", fileName, e);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvStdcall)])]
    private static int MoveFile(char* fileName, char* newName, int replaceIfExisting, DokanFileInfo* info)
    {
        DokanDispatcher? dispatcher = null;
        try
        {
            dispatcher = Dispatcher(info);
            return Traced(dispatcher, "MoveFile", fileName, dispatcher.MoveFile(fileName, newName, replaceIfExisting != 0, info));
        }
        catch (Exception e)
        {
            return Failed(dispatcher, "MoveFile", fileName, e);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvStdcall)])]
    private static int SetEndOfFile(char* fileName, long length, DokanFileInfo* info)
    {
        DokanDispatcher? dispatcher = null;
        try
        {
            dispatcher = Dispatcher(info);
            return Traced(dispatcher, "SetEndOfFile", fileName, dispatcher.SetEndOfFile(length, info));
        }
        catch (Exception e)
        {
            return Failed(dispatcher, "SetEndOfFile", fileName, e);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvStdcall)])]
    private static int SetAllocationSize(char* fileName, long allocationSize, DokanFileInfo* info)
    {
        DokanDispatcher? dispatcher = null;
        try
        {
            dispatcher = Dispatcher(info);
            return Traced(dispatcher, "SetAllocationSize", fileName, dispatcher.SetAllocationSize(allocationSize, info));
        }
        catch (Exception e)
        {
            return Failed(dispatcher, "SetAllocationSize", fileName, e);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvStdcall)])]
    private static int GetDiskFreeSpace(ulong* freeBytesAvailable, ulong* totalBytes, ulong* totalFreeBytes, DokanFileInfo* info)
    {
        DokanDispatcher? dispatcher = null;
        try
        {
            dispatcher = Dispatcher(info);
            return Traced(dispatcher, "GetDiskFreeSpace", null, dispatcher.GetDiskFreeSpace(freeBytesAvailable, totalBytes, totalFreeBytes));
        }
        catch (Exception e)
        {
            return Failed(dispatcher, "GetDiskFreeSpace", null, e);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvStdcall)])]
    private static int GetVolumeInformation(char* volumeName, uint volumeNameSize, uint* serialNumber, uint* maxComponentLength, uint* fileSystemFlags, char* fileSystemName, uint fileSystemNameSize, DokanFileInfo* info)
    {
        DokanDispatcher? dispatcher = null;
        try
        {
            dispatcher = Dispatcher(info);
            return Traced(dispatcher, "GetVolumeInformation", null, dispatcher.GetVolumeInformation(volumeName, volumeNameSize, serialNumber, maxComponentLength, fileSystemFlags, fileSystemName, fileSystemNameSize));
        }
        catch (Exception e)
        {
            return Failed(dispatcher, "GetVolumeInformation", null, e);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvStdcall)])]
    private static int Mounted(char* mountPoint, DokanFileInfo* info)
    {
        DokanDispatcher? dispatcher = null;
        try
        {
            dispatcher = Dispatcher(info);
            return Traced(dispatcher, "Mounted", mountPoint, dispatcher.OnMounted(mountPoint));
        }
        catch (Exception e)
        {
            return Failed(dispatcher, "Mounted", mountPoint, e);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvStdcall)])]
    private static int Unmounted(DokanFileInfo* info)
    {
        DokanDispatcher? dispatcher = null;
        try
        {
            dispatcher = Dispatcher(info);
            return Traced(dispatcher, "Unmounted", null, dispatcher.OnUnmounted());
        }
        catch (Exception e)
        {
            return Failed(dispatcher, "Unmounted", null, e);
        }
    }

    // The options dokan2 hands back with every request carry the GCHandle the mount put there.
    private static DokanDispatcher Dispatcher(DokanFileInfo* info) =>
        (DokanDispatcher)GCHandle.FromIntPtr((nint)info->DokanOptions->GlobalContext).Target!;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Traced(DokanDispatcher dispatcher, string operation, char* fileName, int status)
    {
        if (dispatcher.Trace)
        {
            dispatcher.Log.Information("{Operation} {Path}: 0x{Status:X8}", operation, fileName is null ? "" : new string(fileName), status);
        }

        return status;
    }

    private static int Failed(DokanDispatcher? dispatcher, string operation, char* fileName, Exception exception)
    {
        try
        {
            dispatcher?.Log.Error(exception, "{Operation} {Path} failed", operation, fileName is null ? "" : new string(fileName));
        }
        catch
        {
            // a failing log must not take the process down either
        }

        return NtStatus.InternalError;
    }
}
