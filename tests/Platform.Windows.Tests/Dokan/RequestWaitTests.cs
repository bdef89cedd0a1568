using ThrottleFs.FileSystem;
using ThrottleFs.Platform.Windows.Dokan;
using ThrottleFs.Qos;

namespace ThrottleFs.Platform.Windows.Tests.Dokan;

/// <summary>
/// <see cref="RequestWait"/> on the virtual clock with a recording dokan2: a wait goes in slices of a third of the
/// driver's timeout (60 s → 20 s), the request's deadline is pushed back between slices and never after the cap, and
/// the cap ends the wait with ETIMEDOUT (STATUS_IO_TIMEOUT), taking the request out of its queue.
/// </summary>
public sealed unsafe class RequestWaitTests
{
    private static readonly TimeSpan DriverTimeout = TimeSpan.FromSeconds(60);

    private readonly VirtualClock _clock = new();
    private readonly ObservedClock _observed;
    private readonly RecordingDokanLibrary _dokan;

    public RequestWaitTests()
    {
        _observed = new ObservedClock(_clock);
        _dokan = new RecordingDokanLibrary(_clock);
    }

    [Fact]
    public void ARequestAdmittedAtOnce_NeitherWaitsNorResets()
    {
        using var cancellation = new CancellationTokenSource();
        var result = Wait(TimeSpan.FromSeconds(30)).Wait(ValueTask.FromResult(new IoResult(512, Errno.Success)), cancellation, null);
        Assert.Equal(new IoResult(512, Errno.Success), result);
        Assert.Equal(0, _observed.Created);
        Assert.Empty(_dokan.Resets);
    }

    [Fact]
    public void WithoutACap_TheDeadlineIsPushedBackEveryThirdOfTheTimeout_UntilTheRequestGoes()
    {
        var request = new TaskCompletionSource<IoResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cancellation = new CancellationTokenSource();
        var waiting = Task.Factory.StartNew(() => Wait(null).Wait(new ValueTask<IoResult>(request.Task), cancellation, null), TaskCreationOptions.LongRunning);

        for (var slice = 1; slice <= 4; slice++)
        {
            ObservedClock.Until(() => _observed.Created == slice, $"slice {slice} is waited for");
            _clock.AdvanceToNs(_clock.NextDueNs!.Value);
        }

        ObservedClock.Until(() => _observed.Created == 5, "the fifth slice is waited for");
        request.SetResult(new IoResult(4096, Errno.Success));
        Assert.Equal(new IoResult(4096, Errno.Success), waiting.Result);
        Assert.Equal(
            [(TimeSpan.FromSeconds(20), 60_000u), (TimeSpan.FromSeconds(40), 60_000u), (TimeSpan.FromSeconds(60), 60_000u), (TimeSpan.FromSeconds(80), 60_000u)],
            _dokan.Resets);
        Assert.False(cancellation.IsCancellationRequested);
    }

    [Fact]
    public void TheCap_CancelsTheRequest_AndFailsItWithEtimedout_AfterResettingOnlyWhileTheCapIsAhead()
    {
        var request = new TaskCompletionSource<IoResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cancellation = new CancellationTokenSource();
        cancellation.Token.Register(() => request.TrySetCanceled()); // as a throttle's queue lets a cancelled request go
        var waiting = Task.Factory.StartNew(() => Wait(TimeSpan.FromSeconds(45)).Wait(new ValueTask<IoResult>(request.Task), cancellation, null), TaskCreationOptions.LongRunning);

        // Slices of 20 s, 20 s, then the 5 s left of the cap.
        for (var slice = 1; slice <= 3; slice++)
        {
            ObservedClock.Until(() => _observed.Created == slice, $"slice {slice} is waited for");
            _clock.AdvanceToNs(_clock.NextDueNs!.Value);
        }

        Assert.Equal(IoResult.Failed(Errno.ETIMEDOUT), waiting.Result);
        Assert.True(cancellation.IsCancellationRequested);
        Assert.Equal(TimeSpan.FromSeconds(45), _clock.Elapsed);
        Assert.Equal([(TimeSpan.FromSeconds(20), 60_000u), (TimeSpan.FromSeconds(40), 60_000u)], _dokan.Resets);
        Assert.Equal(unchecked((int)0xC00000B5), ErrnoStatus.From(waiting.Result.Error));
    }

    [Fact]
    public void ARequestThatFinishesAsTheCapExpires_KeepsItsResult()
    {
        var request = new TaskCompletionSource<IoResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cancellation = new CancellationTokenSource();
        // The backing I/O had started: cancellation cannot take it back, the bytes were written.
        cancellation.Token.Register(() => request.TrySetResult(new IoResult(100, Errno.Success)));
        var waiting = Task.Factory.StartNew(() => Wait(TimeSpan.FromSeconds(1)).Wait(new ValueTask<IoResult>(request.Task), cancellation, null), TaskCreationOptions.LongRunning);

        ObservedClock.Until(() => _observed.Created == 1, "the wait has started");
        _clock.AdvanceToNs(_clock.NextDueNs!.Value);

        Assert.Equal(new IoResult(100, Errno.Success), waiting.Result);
        Assert.Empty(_dokan.Resets);
    }

    [Fact]
    public void EveryFinishedWait_GivesItsTimerBack()
    {
        var request = new TaskCompletionSource<IoResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cancellation = new CancellationTokenSource();
        var waiting = Task.Factory.StartNew(() => Wait(TimeSpan.FromSeconds(30)).Wait(new ValueTask<IoResult>(request.Task), cancellation, null), TaskCreationOptions.LongRunning);
        ObservedClock.Until(() => _observed.Created == 1, "the wait has started");
        request.SetResult(new IoResult(1, Errno.Success));
        Assert.Equal(new IoResult(1, Errno.Success), waiting.Result);
        Assert.Equal(0, _observed.Live);
        Assert.Null(_clock.NextDueNs);
    }

    // A wait with the given cap, on the test's clock and recording dokan2.
    private RequestWait Wait(TimeSpan? cap) => new(_dokan, _observed, DriverTimeout, cap);
}
