using ThrottleFs.FileSystem;
using ThrottleFs.Platform.Linux.Passthrough;
using ThrottleFs.Tests.Shared.Passthrough;

namespace ThrottleFs.Platform.Linux.Tests.Passthrough;

/// <summary>
/// The passthrough contract on the Linux passthrough: a directory source mirrored, a file source as the only entry of
/// the mount (<see cref="SourceLayout.FileInDirectory"/>). It has every optional feature the contract knows.
/// </summary>
public sealed class LinuxPassthroughContractTests : PassthroughContract
{
    protected override bool SupportsHardLinks => true;

    protected override bool SupportsExtendedAttributes => true;

    protected override bool SupportsNonUtf8Names => true;

    protected override bool SupportsCopyFileRange => true;

    protected override bool SupportsRenameExchange => true;

    // readlinkat(fd, "", ...) of a descriptor that is not a link is ENOENT, not readlink(2)'s EINVAL; harmless, since the
    // kernel reads links only of nodes whose attributes say they are links.
    protected override Errno ReadLinkOfAFileError => Errno.ENOENT;

    protected override IFileSystem Create(string source) =>
        new PassthroughFileSystem(source, Directory.Exists(source) ? SourceLayout.Directory : SourceLayout.FileInDirectory);
}
