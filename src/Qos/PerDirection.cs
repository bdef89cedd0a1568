using System.Runtime.CompilerServices;

namespace ThrottleFs.Qos;

/// <summary>
/// One value per <see cref="ThrottleDirection"/>, held inline in the object that owns it rather than in an array of
/// its own: a group, a member and a file's meter each keep several, and every open file has them.
/// </summary>
[InlineArray(2)]
internal struct PerDirection<T>
{
    private T _read;
}
