namespace ThrottleFs.Platform.Windows.Tests.Dokan;

/// <summary>The kernel's ZwCreateFile values the tests send (winnt.h, wdm.h), by their Windows names.</summary>
internal static class Win32
{
    public const uint GenericRead = 0x80000000, GenericWrite = 0x40000000, GenericAll = 0x10000000;
    public const uint ReadData = 0x1, WriteData = 0x2, AppendData = 0x4, ReadAttributes = 0x80, Delete = 0x10000, Synchronize = 0x100000;

    public const uint Supersede = 0, Open = 1, Create = 2, OpenIf = 3, Overwrite = 4, OverwriteIf = 5;

    public const uint DirectoryFile = 0x1, NonDirectoryFile = 0x40, DeleteOnClose = 0x1000;

    public const uint AttributeReadOnly = 0x1, AttributeDirectory = 0x10, AttributeNormal = 0x80;
}
