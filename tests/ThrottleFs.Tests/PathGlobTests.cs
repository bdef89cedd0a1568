using ThrottleFs.Configuration;

namespace ThrottleFs.Tests;

public sealed class PathGlobTests
{
    [Theory]
    [InlineData("*.qcow2", "vm1.qcow2", true)]
    [InlineData("*.qcow2", "images/deep/vm1.qcow2", true)] // no '/': any depth, as in .gitignore
    [InlineData("*.qcow2", "vm1.qcow2.bak", false)]
    [InlineData("images/*.img", "images/a.img", true)]
    [InlineData("images/*.img", "images/sub/a.img", false)] // '*' stays within one name
    [InlineData("images/*.img", "other/images/a.img", false)] // with '/': anchored at the root
    [InlineData("/vm1.img", "vm1.img", true)]
    [InlineData("/vm1.img", "sub/vm1.img", false)]
    [InlineData("images/**", "images/a/b/c.raw", true)]
    [InlineData("**/db.img", "db.img", true)]
    [InlineData("**/db.img", "x/y/db.img", true)]
    [InlineData("vm?.img", "vm1.img", true)]
    [InlineData("vm?.img", "vm10.img", false)]
    [InlineData("*.{qcow2,raw}", "a.raw", true)]
    [InlineData("*.{qcow2,raw}", "a.img", false)]
    [InlineData("vm[0-9].img", "vm7.img", true)]
    [InlineData("vm[!0-9].img", "vm7.img", false)]
    [InlineData("vm[!0-9].img", "vmx.img", true)]
    [InlineData("a+b (1).img", "a+b (1).img", true)] // regex characters are literal
    public void Matches(string pattern, string path, bool expected) =>
        Assert.Equal(expected, PathGlob.Parse(pattern).IsMatch(path));

    [Theory]
    [InlineData("", "empty")]
    [InlineData("vm[0-9.img", "not closed")]
    [InlineData("*.{qcow2,raw", "not closed")]
    public void BadPatterns_AreRefusedWithTheReason(string pattern, string reason) =>
        Assert.Contains(reason, Assert.Throws<FormatException>(() => PathGlob.Parse(pattern)).Message);
}
