using System.Text;
using ThrottleFs.FileSystem;

namespace ThrottleFs.Tests.FileSystem;

/// <summary>Names that are not UTF-8 keep their identity as strings, and read and write as <c>\xHH</c> for people.</summary>
public sealed class PathTextTests
{
    [Fact]
    public void TwoNamesThatAreNotUtf8_DecodeToTwoStrings_AndBackToTheirBytes()
    {
        byte[] ff = [0xFF, .. ".img"u8], fe = [0xFE, .. ".img"u8];

        Assert.NotEqual(PathText.Decode(ff), PathText.Decode(fe));
        Assert.Equal(ff, PathText.Encode(PathText.Decode(ff)));
        Assert.Equal(fe, PathText.Encode(PathText.Decode(fe)));
    }

    [Theory]
    [InlineData(new byte[] { 0x61, 0x2F, 0x62 }, "a/b")]
    [InlineData(new byte[] { 0xC3, 0xA9, 0x2E, 0x69 }, "é.i")]
    [InlineData(new byte[] { 0xFF, 0x2E, 0x69 }, @"\xff.i")]
    [InlineData(new byte[] { 0xC3, 0x28 }, @"\xc3(")]              // a lead byte without its continuation
    [InlineData(new byte[] { 0x61, 0x0A, 0x62 }, @"a\x0ab")]         // a newline in a name cannot break a control line
    [InlineData(new byte[] { 0x61, 0x5C, 0x62 }, @"a\\b")]           // a backslash is doubled, so the escape is unambiguous
    [InlineData(new byte[] { 0xED, 0xB3, 0xBF }, @"\xed\xb3\xbf")]   // UTF-8 of a surrogate is not UTF-8: bytes, not a char
    public void Escape_WritesWhatIsNotPlainText_AsPeopleType_AndUnescapeReadsItBack(byte[] name, string shown)
    {
        var path = PathText.Decode(name);

        Assert.Equal(shown, PathText.Escape(path));
        Assert.Equal(path, PathText.Unescape(shown));
        Assert.Equal(name, PathText.Encode(PathText.Unescape(shown)));
    }

    [Fact]
    public void Unescape_JoinsEscapedBytesThatSpellACharacter_AndLeavesOtherBackslashesAlone()
    {
        Assert.Equal("é.img", PathText.Unescape(@"\xc3\xa9.img"));
        Assert.Equal(@"a\b", PathText.Unescape(@"a\b"));
        Assert.Equal(@"a\xZZ", PathText.Unescape(@"a\xZZ"));
        Assert.Equal("plain/path.img", PathText.Unescape("plain/path.img"));
    }

    [Fact]
    public void ValidUtf8_IsDecodedAsUsual()
    {
        var text = "vm-äöü-😀.qcow2";
        Assert.Equal(text, PathText.Decode(Encoding.UTF8.GetBytes(text)));
        Assert.Equal(text, PathText.Escape(text));
    }
}
