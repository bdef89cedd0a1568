internal static partial class Interop
{
    /// <summary>The native libraries the Windows host binds to.</summary>
    internal static class Libraries
    {
        /// <summary>
        /// Dokany v2's user-mode library. The installer puts it in System32 next to the dokan2.sys driver it talks to;
        /// the major version is in the name, so a v1 <c>dokan1.dll</c> can never be picked up by mistake.
        /// </summary>
        internal const string Dokan = "dokan2.dll";

        internal const string Kernel32 = "kernel32.dll";

        internal const string Advapi32 = "advapi32.dll";
    }
}
