using ThrottleFs.Cli;
using ThrottleFs.Platform.Windows.Hosting;
using ThrottleFs.Platform.Windows.Tests.Dokan;

namespace ThrottleFs.Platform.Windows.Tests.Hosting;

/// <summary>
/// <c>throttlefs service install</c> checks the mount's arguments with the mount command's own parser before anything
/// is installed, so a mistake is reported at once rather than in a service's log. (Installing itself needs Windows.)
/// </summary>
public sealed class ServiceCommandTests : IDisposable
{
    private readonly string _source = Directory.CreateTempSubdirectory("throttlefs-service-").FullName;

    public void Dispose() => Directory.Delete(_source, recursive: true);

    [Theory]
    [InlineData(ExitCodes.Usage, "unknown key 'iops-totl' (did you mean 'iops-total'?)", "--limit", "iops-totl=5")]
    [InlineData(ExitCodes.Usage, "leave out --foreground", "--foreground")]
    [InlineData(ExitCodes.Usage, "Unrecognized command or argument '--bogus'", "--bogus")]
    public void AMistakeInTheMountsArguments_IsReportedBeforeInstalling(int expected, string message, params string[] options)
    {
        var (code, error) = Run(["service", "install", "tfs", _source, "q:", .. options]);

        Assert.Equal(expected, code);
        Assert.Contains(message, error);
        Assert.DoesNotContain("only on Windows", error);
    }

    [Fact]
    public void AMissingSource_IsReportedBeforeInstalling()
    {
        var (code, error) = Run(["service", "install", "tfs", Path.Combine(_source, "missing"), "q:"]);

        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("does not exist", error);
    }

    // On Windows this would install a service: the Windows workflow mounts by hand instead.
    [NotOnWindowsFact]
    public void ValidArguments_GetAsFarAsTheServiceManager()
    {
        var (code, error) = Run(["service", "install", "tfs", _source, "q:", "--limit", "iops-total=5"]);

        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("only on Windows", error);
    }

    [Fact]
    public void ServiceRun_ByHand_SaysToUseMount()
    {
        var (code, error) = Run(["service", "run", "C:\\", "mount", "a", "b"]);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("use 'throttlefs mount'", error);
    }

    private static (int Code, string Error) Run(string[] args)
    {
        var error = new StringWriter();
        var host = new DokanMountHost(new RecordingDokanLibrary(TimeProvider.System), () => throw new InvalidOperationException("nothing mounts here"));
        var code = ThrottleFsCommandLine.Run(args, host, error, TextWriter.Null, [ServiceCommand.Create(error)]);
        return (code, error.ToString());
    }
}

/// <summary>A test that would change the Windows machine it runs on (install a service), run elsewhere only.</summary>
public sealed class NotOnWindowsFactAttribute : FactAttribute
{
    public NotOnWindowsFactAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "would install a Windows service";
        }
    }
}
