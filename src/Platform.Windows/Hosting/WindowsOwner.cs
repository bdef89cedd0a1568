using ThrottleFs.Hosting;

namespace ThrottleFs.Platform.Windows.Hosting;

/// <summary>
/// The user who mounted, in the core's terms: Windows names users by SID, the core by uid, so the mount's owner is
/// given this uid and gid (and <see cref="TokenRequestors"/> maps that user's requests onto it).
/// </summary>
internal static class WindowsOwner
{
    public static readonly MountOwner Owner = new(1000, 1000);
}
