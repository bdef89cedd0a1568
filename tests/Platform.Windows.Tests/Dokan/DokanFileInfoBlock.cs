using System.Runtime.InteropServices;
using static Interop.Dokan;

namespace ThrottleFs.Platform.Windows.Tests.Dokan;

/// <summary>
/// A DOKAN_FILE_INFO in native memory, as dokan2 keeps one per open: the adapter's Context lives in it from
/// ZwCreateFile to CloseFile, and the callbacks find their dispatcher through its options pointer.
/// </summary>
internal sealed unsafe class DokanFileInfoBlock : IDisposable
{
    public DokanFileInfoBlock(DokanOptions* options)
    {
        Pointer = (DokanFileInfo*)NativeMemory.AllocZeroed((nuint)sizeof(DokanFileInfo));
        Pointer->DokanOptions = options;
        Pointer->ProcessId = 4242;
    }

    public DokanFileInfo* Pointer { get; private set; }

    public ulong Context => Pointer->Context;

    public bool IsDirectory => Pointer->IsDirectory != 0;

    public bool DeletePending
    {
        set => Pointer->DeletePending = value ? (byte)1 : (byte)0;
    }

    public bool PagingIo
    {
        set => Pointer->PagingIo = value ? (byte)1 : (byte)0;
    }

    public bool WriteToEndOfFile
    {
        set => Pointer->WriteToEndOfFile = value ? (byte)1 : (byte)0;
    }

    public void Dispose()
    {
        NativeMemory.Free(Pointer);
        Pointer = null;
    }
}
