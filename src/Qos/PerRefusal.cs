namespace ThrottleFs.Qos;
/// <summary>A count per <see cref="ThrottleRefusal"/>.</summary>
[System.Runtime.CompilerServices.InlineArray(3)]
internal struct PerRefusal
{
    private long _first;
}
