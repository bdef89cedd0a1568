using System.Runtime.Versioning;
using System.Security.Principal;
using Microsoft.Win32.SafeHandles;
using ThrottleFs.FileSystem;
using ThrottleFs.Platform.Windows.Dokan;
using static Interop.Dokan;

namespace ThrottleFs.Platform.Windows.Hosting;

/// <summary>
/// Who sent a request, from the token of the requesting process (dokan2 opens it for us): the user who mounted is the
/// mount's owner, an administrator or SYSTEM is root, anyone else is nobody. So the control layer's rule, the owner and
/// root may change limits, means on Windows: the user who mounted, and administrators.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed unsafe class TokenRequestors : IRequestors
{
    private const uint Nobody = 65534;

    private static readonly SecurityIdentifier Administrators = new(WellKnownSidType.BuiltinAdministratorsSid, null);
    private static readonly SecurityIdentifier LocalSystem = new(WellKnownSidType.LocalSystemSid, null);

    private readonly SecurityIdentifier? _owner = WindowsIdentity.GetCurrent().User;

    public RequestContext Identify(DokanFileInfo* info)
    {
        var pid = info->ProcessId;
        using var token = new SafeAccessTokenHandle(DokanOpenRequestorToken(info));
        if (token.IsInvalid)
        {
            return new RequestContext(Nobody, Nobody, pid); // the requestor is gone, or the driver would not say
        }

        using var identity = new WindowsIdentity(token.DangerousGetHandle());
        var uid = identity.User == LocalSystem || new WindowsPrincipal(identity).IsInRole(Administrators) ? 0u
            : identity.User == _owner ? WindowsOwner.Owner.Uid
            : Nobody;
        return new RequestContext(uid, uid == WindowsOwner.Owner.Uid ? WindowsOwner.Owner.Gid : uid, pid);
    }
}
