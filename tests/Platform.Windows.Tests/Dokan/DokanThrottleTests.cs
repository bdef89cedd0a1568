using System.Text;
using static Interop.Dokan;

namespace ThrottleFs.Platform.Windows.Tests.Dokan;

/// <summary>
/// The core's throttle and control layers behind the Dokan adapter, on the virtual clock. A throttled read holds its
/// Dokan thread (dokan2 cannot answer later), so each test reads on a thread of its own and moves time only once that
/// thread is seen waiting (<see cref="ObservedClock"/>).
/// <para>
/// QEMU's leaky bucket with <c>iops-total=100</c> holds 10 (a tenth of the rate when no burst is set): 11 requests
/// pass at once, and from then on one every 10 ms.
/// </para>
/// </summary>
public sealed unsafe class DokanThrottleTests
{
    [Fact]
    public void IopsTotal100_AdmitsElevenAtOnce_ThenOneEvery10ms_AsQemuDoes()
    {
        using var volume = new CallbackVolume("""{ "logging": { "level": "Fatal" }, "file-limits": { "iops-total": 100 } }""");
        File.WriteAllBytes(volume.Backing("vm.img"), new byte[1 << 16]);
        var info = volume.Open(@"\vm.img");
        const int Reads = 61;
        var completedAt = new List<TimeSpan>();
        var started = 0;
        var reader = Task.Factory.StartNew(
            () =>
            {
                for (var i = 0; i < Reads; i++)
                {
                    Volatile.Write(ref started, i + 1);
                    Assert.Equal(NtStatus.Success, volume.Read(@"\vm.img", info, 512L * i, 512, out var data));
                    Assert.Equal(512, data.Length);
                    lock (completedAt)
                    {
                        completedAt.Add(volume.Clock.Elapsed);
                    }
                }
            },
            TaskCreationOptions.LongRunning);

        // Each time the reader is blocked (its wait armed a timer for the read it is on), move time to the next timer
        // due, which is the throttle's, and wait for the reader to be blocked on a later read.
        var blocked = 0;
        while (true)
        {
            var seen = blocked;
            ObservedClock.Until(() => reader.IsCompleted || volume.WaitClock.Created > seen, $"the reader blocks after {seen} waits");
            if (reader.IsCompleted)
            {
                break;
            }

            blocked = volume.WaitClock.Created;
            volume.Clock.AdvanceToNs(volume.Clock.NextDueNs!.Value);
        }

        reader.GetAwaiter().GetResult();
        volume.Close(@"\vm.img", info);
        var expected = Enumerable.Range(0, Reads).Select(i => TimeSpan.FromMilliseconds(i < 11 ? 0 : (i - 10) * 10)).ToList();
        Assert.Equal(expected, completedAt);
        Assert.Equal(Reads - 11, blocked);
        Assert.Empty(volume.Library.Resets); // no wait came near a third of the driver's timeout
    }

    [Fact]
    public void AReadWaitingLongerThanMaxWait_FailsWithIoTimeout_AndTheNextReadIsNotChargedForIt()
    {
        // One byte a second: the first 4 KiB read empties the budget for over an hour.
        using var volume = new CallbackVolume("""{ "logging": { "level": "Fatal" }, "file-limits": { "bps-read": 1 } }""", maxWait: TimeSpan.FromSeconds(5));
        File.WriteAllBytes(volume.Backing("slow.img"), new byte[1 << 16]);
        var info = volume.Open(@"\slow.img");
        Assert.Equal(NtStatus.Success, volume.Read(@"\slow.img", info, 0, 4096, out _));

        var waiting = Task.Factory.StartNew(() => volume.Read(@"\slow.img", info, 4096, 4096, out _), TaskCreationOptions.LongRunning);
        ObservedClock.Until(() => volume.WaitClock.Created == 1, "the second read waits");
        volume.Clock.AdvanceToNs(volume.Clock.NextDueNs!.Value);

        Assert.Equal(NtStatus.IoTimeout, waiting.Result);
        Assert.Equal(TimeSpan.FromSeconds(5), volume.Clock.Elapsed);
        Assert.Equal(0, volume.WaitClock.Live);
        volume.Close(@"\slow.img", info);
    }

    [Theory]
    [InlineData("iops-total=100,action=police,over-limit-error=EIO", NtStatus.IoDeviceError)]
    [InlineData("iops-total=100,action=police", NtStatus.LockNotGranted)] // EAGAIN
    public void APolicedRead_FailsAtOnce_WithTheStatusOfItsErrno_AndHoldsNoThread(string limits, int status)
    {
        var keys = string.Join(", ", limits.Split(',').Select(pair => pair.Split('=')).Select(kv => $"\"{kv[0]}\": \"{kv[1]}\""));
        using var volume = new CallbackVolume($$"""{ "logging": { "level": "Fatal" }, "file-limits": { {{keys}} } }""");
        File.WriteAllBytes(volume.Backing("vm.img"), new byte[1 << 16]);
        var info = volume.Open(@"\vm.img");

        for (var i = 0; i < 11; i++)
        {
            Assert.Equal(NtStatus.Success, volume.Read(@"\vm.img", info, 512L * i, 512, out _));
        }

        Assert.Equal(status, volume.Read(@"\vm.img", info, 0, 512, out var none));
        Assert.Empty(none);
        Assert.Equal(0, volume.WaitClock.Created); // refused, not waited for
        volume.Close(@"\vm.img", info);
    }

    [Fact]
    public void TheControlFile_WrittenThroughTheAdapter_ChangesAFilesLimits()
    {
        using var volume = new CallbackVolume();
        File.WriteAllBytes(volume.Backing("a.img"), new byte[1 << 16]);

        var control = volume.Open(@"\.throttlefs\control", Win32.GenericWrite);
        Assert.Equal(NtStatus.Success, volume.Write(@"\.throttlefs\control", control, 0, "file a.img iops-total=5\r\n"u8.ToArray(), out var written));
        volume.Close(@"\.throttlefs\control", control);
        Assert.Equal(25u, written); // a line as cmd's echo writes it, with CR LF

        var reader = volume.Open(@"\.throttlefs\control", Win32.GenericRead);
        Assert.Equal(NtStatus.Success, volume.Read(@"\.throttlefs\control", reader, 0, 1 << 16, out var limits));
        volume.Close(@"\.throttlefs\control", reader);
        var text = Encoding.UTF8.GetString(limits);
        Assert.Contains("a.img", text);
        Assert.Contains("iops-total", text);

        // iops-total=5 holds half a request: the first read passes, the second waits for the bucket.
        var info = volume.Open(@"\a.img");
        Assert.Equal(NtStatus.Success, volume.Read(@"\a.img", info, 0, 512, out _));
        var second = Task.Factory.StartNew(() => volume.Read(@"\a.img", info, 512, 512, out _), TaskCreationOptions.LongRunning);
        ObservedClock.Until(() => volume.WaitClock.Created == 1, "the second read waits");
        volume.Clock.AdvanceToNs(volume.Clock.NextDueNs!.Value);
        Assert.Equal(NtStatus.Success, second.Result);
        Assert.True(volume.Clock.Elapsed > TimeSpan.Zero);
        volume.Close(@"\a.img", info);
    }

    [Fact]
    public void CmdsAppend_ToTheControlFile_AppliesTheLine()
    {
        // echo file a.img iops-total=7>> T:\.throttlefs\control: an append-only open, and a write at the end.
        using var volume = new CallbackVolume();
        var control = volume.Open(@"\.throttlefs\control", Win32.AppendData | Win32.Synchronize);
        control.WriteToEndOfFile = true;

        Assert.Equal(NtStatus.Success, volume.Write(@"\.throttlefs\control", control, -1, "file a.img iops-total=7\r\n"u8.ToArray(), out var written));
        volume.Close(@"\.throttlefs\control", control);

        Assert.Equal(25u, written);
        var reader = volume.Open(@"\.throttlefs\control");
        Assert.Equal(NtStatus.Success, volume.Read(@"\.throttlefs\control", reader, 0, 1 << 16, out var limits));
        volume.Close(@"\.throttlefs\control", reader);
        Assert.Contains("\"iops-total\": 7", Encoding.UTF8.GetString(limits));
    }

    [Fact]
    public void ABadControlLine_IsRefused_AndRecordedInErrors_AndTheLimitsStay()
    {
        using var volume = new CallbackVolume();

        var control = volume.Open(@"\.throttlefs\control", Win32.GenericWrite);
        var status = volume.Write(@"\.throttlefs\control", control, 0, "file a.img iops-total=fast\n"u8.ToArray(), out _);
        volume.Close(@"\.throttlefs\control", control);
        Assert.Equal(NtStatus.InvalidParameter, status);

        var errors = volume.Open(@"\.throttlefs\errors");
        Assert.Equal(NtStatus.Success, volume.Read(@"\.throttlefs\errors", errors, 0, 1 << 16, out var text));
        volume.Close(@"\.throttlefs\errors", errors);
        Assert.Contains("iops-total", Encoding.UTF8.GetString(text));
    }

    [Fact]
    public void SomeoneElse_CannotChangeLimits_ThroughTheAdapter()
    {
        using var volume = new CallbackVolume(requestors: new FixedRequestors(new(65534, 65534, 77)));

        var status = volume.Create(@"\.throttlefs\control", Win32.GenericWrite, Win32.Open, out var info);
        info.Dispose();
        Assert.Equal(NtStatus.AccessDenied, status);
    }
}
