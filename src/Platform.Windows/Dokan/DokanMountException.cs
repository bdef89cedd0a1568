namespace ThrottleFs.Platform.Windows.Dokan;

/// <summary>dokan2 refused to mount: <see cref="Result"/> is its DOKAN_* code, the message says why for the user.</summary>
internal sealed class DokanMountException(int result, string message) : Exception(message)
{
    public int Result { get; } = result;
}
