using System.Diagnostics;
using ThrottleFs.Platform.Linux.Hosting;

namespace ThrottleFs.Platform.Linux.Tests.Hosting;

/// <summary>
/// The unmount command waits for the daemon, which is not its child, through <see cref="DaemonProcess"/>: a daemon
/// that has exited counts as gone even while it waits, a zombie, for whoever adopted it to reap it.
/// </summary>
public sealed class DaemonProcessTests : IDisposable
{
    // A parent that forks a child which exits at once, prints the child's pid, and never reaps it.
    private readonly Process _parent = Process.Start(new ProcessStartInfo("perl", ["-e", "my $c = fork // die; exit 0 unless $c; $| = 1; print \"$c\\n\"; sleep 60"])
    {
        RedirectStandardOutput = true,
        UseShellExecute = false,
    })!;

    public void Dispose()
    {
        _parent.Kill();
        _parent.WaitForExit();
        _parent.Dispose();
    }

    [Fact]
    public void AnExitedProcessNotYetReaped_HasExited()
    {
        var zombie = int.Parse(_parent.StandardOutput.ReadLine()!);
        var deadline = Stopwatch.StartNew();
        while (State(zombie) != 'Z')
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), $"the child {zombie} did not exit");
            Thread.Sleep(10);
        }

        using var process = DaemonProcess.Open(zombie);
        Assert.NotNull(process);
        var waited = Stopwatch.StartNew();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(10)));
        Assert.True(waited.Elapsed < TimeSpan.FromSeconds(5), $"waited {waited.Elapsed} for a process that had exited");
        Assert.Equal('Z', State(zombie)); // still there, unreaped: what Process.WaitForExit would have waited for
    }

    [Fact]
    public void ARunningProcess_HasNotExited_UntilItExits()
    {
        Assert.NotNull(_parent.StandardOutput.ReadLine());
        using var process = DaemonProcess.Open(_parent.Id);
        Assert.NotNull(process);
        Assert.False(process.WaitForExit(TimeSpan.FromMilliseconds(200)));

        _parent.Kill();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void AProcessThatIsGone_IsNotOpened() =>
        Assert.Null(DaemonProcess.Open(int.Parse(File.ReadAllText("/proc/sys/kernel/pid_max")) + 1));

    private static char State(int pid) => File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1][0];
}
