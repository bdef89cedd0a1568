using ThrottleFs.FileSystem;
using static ThrottleFs.Platform.Linux.Tests.Mounts.Libc;

namespace ThrottleFs.Platform.Linux.Tests.Mounts.Posix;

/// <summary>
/// Extended attributes through the mount: set, read, listed and removed with the same errors as on the backing store,
/// on files, directories and symlinks themselves (see <see cref="PosixComparisonTest"/>).
/// </summary>
[Collection(PosixMountCollection.Name)]
public sealed class PosixExtendedAttributeTests(PosixMountFixture fixture) : PosixComparisonTest(fixture)
{
    [Fact]
    public void ExtendedAttributes_AreSetReadListedAndRemoved_WithTheSameErrors() => SameOnBoth(s =>
    {
        s.WriteFile("file", "data");
        s.Mkdir("dir", Octal("0755"));
        foreach (var node in new[] { "file", "dir" })
        {
            s.ListXattr(node, 0);
            s.SetXattr(node, "user.one", "value-1", 0);
            s.SetXattr(node, "user.two", "", 0);
            s.SetXattr(node, "user.three", new string('v', 3000), 0);
            s.GetXattr(node, "user.one", 0);
            s.GetXattr(node, "user.one", 64);
            s.GetXattr(node, "user.one", 7);
            s.GetXattr(node, "user.one", 3, expect: Errno.ERANGE);
            s.GetXattr(node, "user.two", 0);
            s.GetXattr(node, "user.two", 16);
            s.GetXattr(node, "user.three", 0);
            s.GetXattr(node, "user.three", 4096);
            s.GetXattr(node, "user.missing", 0, expect: Errno.ENODATA);
            s.GetXattr(node, "user.missing", 64, expect: Errno.ENODATA);
            s.ListXattr(node, 0);
            s.ListXattr(node, 256);
            s.ListXattr(node, 5, expect: Errno.ERANGE);

            s.SetXattr(node, "user.one", "other", XATTR_CREATE, expect: Errno.EEXIST);
            s.SetXattr(node, "user.absent", "x", XATTR_REPLACE, expect: Errno.ENODATA);
            s.SetXattr(node, "user.one", "replaced", XATTR_REPLACE);
            s.GetXattr(node, "user.one", 64);
            s.SetXattr(node, "user.four", "4", XATTR_CREATE);
            s.RemoveXattr(node, "user.one");
            s.RemoveXattr(node, "user.one", expect: Errno.ENODATA);
            s.GetXattr(node, "user.one", 64, expect: Errno.ENODATA);
            s.ListXattr(node, 0);
            s.ListXattr(node, 256);
            s.SetXattr(node, "unknownnamespace.x", "x", 0, expect: Errno.EOPNOTSUPP);
        }

        s.GetXattr("missing", "user.one", 64, expect: Errno.ENOENT);
        s.Rename("file", "renamed");
        s.GetXattr("renamed", "user.four", 64);
    });

    [Fact]
    public void ExtendedAttributesOfASymlinkItself_AreThoseOfTheBackingSymlink() => SameOnBoth(s =>
    {
        // The l- calls (llistxattr, lgetxattr, lsetxattr) address the link, not its target: what cp -a, rsync -X
        // and tar --xattrs do for every symlink they copy. Linux allows user.* only on files and directories, so
        // the backing store answers with its own errors; trusted.* is root's and works on a link.
        s.WriteFile("target", "data");
        s.SetXattr("target", "user.on-target", "t", 0);
        s.Symlink("target", "link");
        s.ListXattr("link", 0, expect: null, noFollow: true);
        s.ListXattr("link", 256, expect: null, noFollow: true);
        s.GetXattr("link", "user.on-target", 64, expect: null, noFollow: true);
        s.SetXattr("link", "user.on-link", "l", 0, expect: null, noFollow: true);
        s.SetXattr("link", "trusted.on-link", "l", 0, expect: null, noFollow: true);
        s.GetXattr("link", "trusted.on-link", 64, expect: null, noFollow: true);
        s.ListXattr("link", 256, expect: null, noFollow: true);

        // The following calls resolve the link and must reach the target.
        s.GetXattr("link", "user.on-target", 64);
        s.ListXattr("link", 256);
        s.ListXattr("target", 256);
    });
}
