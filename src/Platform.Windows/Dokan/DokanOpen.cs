namespace ThrottleFs.Platform.Windows.Dokan;

/// <summary>
/// One open of a file or directory, from ZwCreateFile to CloseFile; its id is the Context of the Dokan file info.
/// The open holds one lookup of its node (none for the root, which is never forgotten), so the node stays valid
/// however often the file is renamed while open. Backing handles are opened only when data is asked for: Windows
/// opens files far more often for their attributes than for their data, and those opens need no handle and reach no
/// throttle.
/// </summary>
internal sealed class DokanOpen(ulong node, bool isDirectory, int flags)
{
    private ulong _handle;

    /// <summary>The open's id in the Context, once it is kept.</summary>
    public ulong Id { get; set; }

    /// <summary>The node, looked up once for this open.</summary>
    public ulong Node { get; } = node;

    public bool IsDirectory { get; } = isDirectory;

    /// <summary>The open(2) access mode and flags a data handle is opened with.</summary>
    public int Flags { get; } = flags;

    /// <summary>
    /// The data handle (a file's, or a directory's for listing), or 0 while none is open. Set once under the open's
    /// own lock (paging I/O may reach an open that asked only for attributes, from several threads), read without.
    /// </summary>
    public ulong Handle
    {
        get => Volatile.Read(ref _handle);
        set => Volatile.Write(ref _handle, value);
    }
}
