internal static partial class Interop
{
    internal static class Libraries
    {
        /// <summary>glibc, by its versioned soname, so a missing libc-dev symlink cannot break loading.</summary>
        internal const string Libc = "libc.so.6";
    }
}
