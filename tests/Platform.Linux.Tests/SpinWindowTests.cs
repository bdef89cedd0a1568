using ThrottleFs.Platform.Linux.Fuse;

namespace ThrottleFs.Platform.Linux.Tests;

/// <summary>How long a transport polls before it sleeps: open only while the gaps between requests are short.</summary>
public sealed class SpinWindowTests
{
    private static readonly long Max = SpinWindow.MaxTicks;
    private static readonly long Start = SpinWindow.StartTicks;

    [Fact]
    public void ANewRing_DoesNotPoll()
    {
        Assert.Equal(0, new SpinWindow().Ticks);
    }

    [Fact]
    public void ShortGaps_OpenTheWindow_AndDoubleItUpToTheMost()
    {
        var window = new SpinWindow();
        window.Slept(Max / 10);
        Assert.Equal(Start, window.Ticks);
        window.Slept(Max);
        Assert.Equal(Math.Min(2 * Start, Max), window.Ticks);
        for (var i = 0; i < 10; i++)
        {
            window.Slept(1);
        }

        Assert.Equal(Max, window.Ticks);
    }

    [Fact]
    public void LongGaps_HalveTheWindow_AndCloseItOnceItIsBelowWhereItStarts()
    {
        var window = new SpinWindow();
        for (var i = 0; i < 10; i++)
        {
            window.Slept(1);
        }

        window.Slept(Max + 1);
        Assert.Equal(Max / 2, window.Ticks);
        var halvings = 1;
        while (window.Ticks > 0)
        {
            window.Slept(Max * 100);
            halvings++;
            Assert.True(window.Ticks == 0 || window.Ticks >= Start, $"a window of {window.Ticks} ticks is below the start {Start}");
        }

        // From the most to nothing within a few long gaps: a mount gone quiet stops polling at once.
        Assert.InRange(halvings, 2, 4);
        window.Slept(Max * 100);
        Assert.Equal(0, window.Ticks);
    }
}
