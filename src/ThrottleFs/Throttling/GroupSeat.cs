using ThrottleFs.Qos;

namespace ThrottleFs.Throttling;

/// <summary>
/// A file's membership in one group (or one caller's instance of a per-caller group), shared by the file's handles
/// that pass it and given up when the last of them closes, so the group's round robin turns between files.
/// </summary>
internal sealed class GroupSeat(GroupInstances owner, ThrottleGroup group, ThrottleGroupMember member) : IDisposable
{
    /// <summary>The group definition the instance belongs to, which is told when the seat is given up.</summary>
    public GroupInstances Owner { get; } = owner;

    /// <summary>The group (instance).</summary>
    public ThrottleGroup Group { get; } = group;

    /// <summary>The file's member in it.</summary>
    public ThrottleGroupMember Member { get; } = member;

    /// <summary>Open handles that pass the seat.</summary>
    public int Handles { get; set; }

    /// <summary>The file's next seat.</summary>
    public GroupSeat? Next;

    /// <summary>Leaves the group, letting the file's waiting requests there go, and tells the owner.</summary>
    public void Dispose()
    {
        Member.Dispose();
        Owner.Release(Group);
    }
}
