using ThrottleFs.FileSystem;
using ThrottleFs.Platform.Windows.Passthrough;
using ThrottleFs.Tests.Shared.Passthrough;

namespace ThrottleFs.Platform.Windows.Tests.Passthrough;

/// <summary>
/// The passthrough contract on the portable passthrough told to match names regardless of case, as on Windows, over
/// whatever store the tests run on (on Linux, one that keeps case, so every match reads the directory).
/// </summary>
public sealed class PortableCaseInsensitiveContractTests : PassthroughContract
{
    protected override bool IsCaseInsensitive => true;

    protected override IFileSystem Create(string source) => new PortablePassthroughFileSystem(source, 0, 0, caseInsensitive: true);
}
