using ThrottleFs.FileSystem;

namespace ThrottleFs.Platform.Windows.Dokan;

/// <summary>
/// A ZwCreateFile's arguments read once: what the caller wants to do with the file, in the terms the core takes
/// (open(2) flags) and the decisions the dispositions table makes.
/// </summary>
internal readonly struct CreateRequest
{
    // Access mask bits (winnt.h) that reach a file's data.
    private const uint ReadData = 0x1, WriteData = 0x2, AppendData = 0x4, Execute = 0x20;
    private const uint GenericAll = 0x10000000, GenericExecute = 0x20000000, GenericWrite = 0x40000000, GenericRead = 0x80000000;
    private const uint MaximumAllowed = 0x02000000;

    // Create options (wdm.h).
    private const uint DirectoryFile = 0x1, NonDirectoryFile = 0x40, DeleteOnCloseOption = 0x1000;

    private const uint ReadOnlyAttribute = 0x1;

    public CreateRequest(uint desiredAccess, uint fileAttributes, uint createDisposition, uint createOptions)
    {
        Disposition = (CreateDisposition)createDisposition;
        WantsDirectory = (createOptions & DirectoryFile) != 0;
        WantsFile = (createOptions & NonDirectoryFile) != 0;
        DeleteOnClose = (createOptions & DeleteOnCloseOption) != 0;
        CreatesReadOnly = (fileAttributes & ReadOnlyAttribute) != 0;

        var reads = (desiredAccess & (ReadData | Execute | GenericRead | GenericExecute | GenericAll | MaximumAllowed)) != 0;
        // MAXIMUM_ALLOWED opens for reading: asking for writes too would fail on a read-only file.
        var writes = (desiredAccess & (WriteData | AppendData | GenericWrite | GenericAll)) != 0 || Truncates;
        var appendsOnly = (desiredAccess & AppendData) != 0 && (desiredAccess & (WriteData | GenericWrite | GenericAll)) == 0;
        NeedsData = reads || writes;
        Flags = (reads && writes ? OpenFlags.ReadWrite : writes ? OpenFlags.WriteOnly : OpenFlags.ReadOnly) | (appendsOnly ? OpenFlags.Append : 0);
    }

    public CreateDisposition Disposition { get; }

    /// <summary>FILE_DIRECTORY_FILE: only a directory will do.</summary>
    public bool WantsDirectory { get; }

    /// <summary>FILE_NON_DIRECTORY_FILE: anything but a directory.</summary>
    public bool WantsFile { get; }

    /// <summary>
    /// FILE_DELETE_ON_CLOSE. Only checked here (a read-only file cannot be opened so): the kernel marks the delete
    /// pending itself and it is carried out at Cleanup.
    /// </summary>
    public bool DeleteOnClose { get; }

    /// <summary>A new file gets no write bits (FILE_ATTRIBUTE_READONLY).</summary>
    public bool CreatesReadOnly { get; }

    /// <summary>Whether the caller reads or writes data, so a data handle must be opened now.</summary>
    public bool NeedsData { get; }

    /// <summary>O_RDONLY, O_WRONLY or O_RDWR, and O_APPEND for append-only access (such a handle writes only at the end).</summary>
    public int Flags { get; }

    /// <summary>An existing file is emptied.</summary>
    public bool Truncates => Disposition is CreateDisposition.Supersede or CreateDisposition.Overwrite or CreateDisposition.OverwriteIf;

    /// <summary>A missing file is created.</summary>
    public bool Creates => Disposition is CreateDisposition.Supersede or CreateDisposition.Create or CreateDisposition.OpenIf or CreateDisposition.OverwriteIf;

    /// <summary>Opening an existing file is answered with OBJECT_NAME_COLLISION, which dokan2 reports as "opened".</summary>
    public bool OpensExistingAsCollision => Disposition is CreateDisposition.Supersede or CreateDisposition.OpenIf or CreateDisposition.OverwriteIf;
}
