using ThrottleFs.FileSystem;
using ThrottleFs.Platform.Windows.Passthrough;
using ThrottleFs.Tests.Shared.Passthrough;

namespace ThrottleFs.Platform.Windows.Tests.Passthrough;

/// <summary>The passthrough contract on the portable passthrough, matching names as the platform it runs on does.</summary>
public sealed class PortablePassthroughContractTests : PassthroughContract
{
    protected override bool IsCaseInsensitive => OperatingSystem.IsWindows() || OperatingSystem.IsMacOS();

    protected override IFileSystem Create(string source) => new PortablePassthroughFileSystem(source);
}
