namespace ThrottleFs.Configuration;

/// <summary>
/// Who may read the control directory (config <c>control-readers</c>). Its files list the paths of throttled files,
/// also inside directories a reader could not list, so by default only the mount's owner and root may read them.
/// Changing limits is the owner's and root's either way.
/// </summary>
internal enum ControlReaders
{
    /// <summary><c>owner</c>: the mount's owner and root.</summary>
    Owner,

    /// <summary><c>everyone</c>: every user who can reach the mount.</summary>
    Everyone,
}
