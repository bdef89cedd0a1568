namespace ThrottleFs.Platform.Windows.Dokan;

/// <summary>What ZwCreateFile does when the name exists or not: the kernel's FILE_* dispositions, as dokan2 passes them.</summary>
internal enum CreateDisposition : uint
{
    /// <summary>Replace the file if it exists, else create it (FILE_SUPERSEDE).</summary>
    Supersede = 0,

    /// <summary>Open; fail if missing (FILE_OPEN, Win32 OPEN_EXISTING).</summary>
    Open = 1,

    /// <summary>Create; fail if present (FILE_CREATE, Win32 CREATE_NEW).</summary>
    Create = 2,

    /// <summary>Open, or create if missing (FILE_OPEN_IF, Win32 OPEN_ALWAYS).</summary>
    OpenIf = 3,

    /// <summary>Open and truncate; fail if missing (FILE_OVERWRITE, Win32 TRUNCATE_EXISTING).</summary>
    Overwrite = 4,

    /// <summary>Open and truncate, or create if missing (FILE_OVERWRITE_IF, Win32 CREATE_ALWAYS).</summary>
    OverwriteIf = 5,
}
