using ThrottleFs.FileSystem;

namespace ThrottleFs.Platform.Windows.Dokan;

/// <summary>A file's POSIX type and mode as the FILE_ATTRIBUTE_* bits Windows shows.</summary>
internal static class WindowsAttributes
{
    public const uint ReadOnly = 0x1, Directory = 0x10, Normal = 0x80;

    private const uint OwnerWrite = 0x80;

    /// <summary>DIRECTORY, READONLY for a file its owner may not write, NORMAL otherwise (which must stand alone).</summary>
    public static uint Of(in NodeAttributes attributes) =>
        attributes.IsDirectory ? Directory : IsReadOnly(attributes) ? ReadOnly : Normal;

    /// <summary>A file its owner may not write: Windows will not delete or write it.</summary>
    public static bool IsReadOnly(in NodeAttributes attributes) => !attributes.IsDirectory && (attributes.Mode & OwnerWrite) == 0;
}
