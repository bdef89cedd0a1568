using ThrottleFs.Platform.Windows.Hosting;

namespace ThrottleFs.Platform.Windows.Tests.Hosting;

/// <summary>
/// A service's command line is one string that Windows splits back into arguments (CommandLineToArgvW's rules: a
/// quote ends or starts quoting; backslashes are literal unless they precede a quote, where 2n+1 of them make n and a
/// literal quote). The expected strings are what .NET's own ProcessStartInfo.ArgumentList produces.
/// </summary>
public sealed class WindowsCommandLineTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData(@"C:\Program Files\throttlefs.exe", @"""C:\Program Files\throttlefs.exe""")]
    [InlineData("", @"""""")]
    [InlineData(@"D:\images\", @"D:\images\")]
    [InlineData(@"D:\my images\", @"""D:\my images\\""")]
    [InlineData(@"say ""hi""", @"""say \""hi\""""")]
    [InlineData(@"a\""b", @"""a\\\""b""")]
    public void Quote_QuotesWhatNeedsIt_AndDoublesBackslashesOnlyBeforeAQuote(string argument, string expected) =>
        Assert.Equal(expected, WindowsCommandLine.Quote(argument));

    [Fact]
    public void TheServiceCommandLine_RunsTheMountInTheForeground_FromWhereItWasInstalled()
    {
        var line = ServiceCommand.ServiceCommandLine(@"C:\Program Files\ThrottleFs\throttlefs.exe", @"D:\work", ["images", "T:", "--config", "limits.json"]);

        Assert.Equal(@"""C:\Program Files\ThrottleFs\throttlefs.exe"" service run D:\work mount images T: --config limits.json --foreground", line);
    }
}
