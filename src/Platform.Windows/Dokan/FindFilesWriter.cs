using System.Text.Unicode;
using ThrottleFs.FileSystem;
using static Interop.Dokan;

namespace ThrottleFs.Platform.Windows.Dokan;

/// <summary>
/// Hands a listing's entries to dokan2's FillFindData one by one, with their attributes: the core's READDIRPLUS,
/// each entry a lookup given back as soon as it is filled in. "." and ".." are left out (dokan2 adds them), and so are
/// names Windows cannot show: longer than MAX_PATH's 259 characters, or bytes that are not UTF-8 (a Linux backing
/// store can hold those; a Windows caller could never open them by name).
/// </summary>
internal sealed unsafe class FindFilesWriter(IFileSystem fileSystem) : IDirectoryWriter
{
    private delegate* unmanaged[Stdcall]<Win32FindData*, DokanFileInfo*, int> _fill;
    private DokanFileInfo* _info;

    public bool WantsAttributes => true;

    /// <summary>Entries seen in the current ReadDirectory call, and where the next one starts.</summary>
    public int Seen { get; private set; }

    public long NextOffset { get; private set; }

    public int Skipped { get; private set; }

    public void Start(delegate* unmanaged[Stdcall]<Win32FindData*, DokanFileInfo*, int> fill, DokanFileInfo* info)
    {
        _fill = fill;
        _info = info;
        Skipped = 0;
    }

    public void NextBatch() => Seen = 0;

    public bool TryAdd(ReadOnlySpan<byte> name, ulong inode, uint type, long nextOffset, in EntryInfo entry)
    {
        Seen++;
        NextOffset = nextOffset;
        if (entry.Node == 0)
        {
            return true; // "." and ".."
        }

        try
        {
            var data = default(Win32FindData);
            var status = Utf8.ToUtf16(name, new Span<char>(data.FileName, 259), out _, out var length, replaceInvalidSequences: false);
            if (status != System.Buffers.OperationStatus.Done)
            {
                Skipped++;
                return true;
            }

            var attributes = entry.Attributes;
            var modified = FileTime.FromValue(FileTimes.From(attributes.ModifySeconds, attributes.ModifyNanoseconds));
            data.FileAttributes = WindowsAttributes.Of(attributes);
            data.CreationTime = modified;
            data.LastAccessTime = FileTime.FromValue(FileTimes.From(attributes.AccessSeconds, attributes.AccessNanoseconds));
            data.LastWriteTime = modified;
            data.FileSizeHigh = attributes.IsDirectory ? 0 : (uint)(attributes.Size >> 32);
            data.FileSizeLow = attributes.IsDirectory ? 0 : (uint)attributes.Size;
            _fill(&data, _info);
            return true;
        }
        finally
        {
            fileSystem.Forget(entry.Node, 1);
        }
    }
}
