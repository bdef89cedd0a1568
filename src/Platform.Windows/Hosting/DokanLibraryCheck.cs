using ThrottleFs.Platform.Windows.Dokan;

namespace ThrottleFs.Platform.Windows.Hosting;

/// <summary>Whether the installed Dokan can serve a mount, in one line that says what to do when it cannot.</summary>
internal static class DokanLibraryCheck
{
    /// <summary>The oldest dokan2.dll with the layouts we bind to (2.0.0.1000 placed a field elsewhere).</summary>
    public const uint MinimumVersion = 210;

    public const string InstallHint = "install Dokan 2.x from https://github.com/dokan-dev/dokany/releases (DokanSetup.exe) and run again";

    /// <summary>Null when <paramref name="dokan"/> is usable, else the message for the user.</summary>
    public static string? Problem(IDokanLibrary dokan)
    {
        uint version;
        try
        {
            version = dokan.Version();
        }
        catch (PlatformNotSupportedException)
        {
            return "this is the Windows build of throttlefs, which mounts with Dokan on Windows; on Linux, use the Linux build.";
        }
        catch (DllNotFoundException)
        {
            return $"dokan2.dll is not installed: {InstallHint}.";
        }
        catch (EntryPointNotFoundException)
        {
            return $"the dokan2.dll found is not Dokan 2.x: {InstallHint}.";
        }

        return version < MinimumVersion
            ? $"Dokan {Dotted(version)} is installed, but ThrottleFs needs Dokan {Dotted(MinimumVersion)} or later: {InstallHint}."
            : null;
    }

    /// <summary>231 → 2.3.1.</summary>
    public static string Dotted(uint version) => $"{version / 100}.{version / 10 % 10}.{version % 10}";
}
