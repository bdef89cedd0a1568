using ThrottleFs.FileSystem;
using static Interop.Dokan;

namespace ThrottleFs.Platform.Windows.Dokan;

/// <summary>
/// Who sent a request, in the terms the core checks (<see cref="RequestContext"/>): Windows has SIDs, not uids, so a
/// host maps the requesting user onto the mount owner's uid, root's (an administrator) or nobody's, and the control
/// layer's rule ("the owner and root may change limits") holds unchanged.
/// </summary>
internal unsafe interface IRequestors
{
    RequestContext Identify(DokanFileInfo* info);
}
