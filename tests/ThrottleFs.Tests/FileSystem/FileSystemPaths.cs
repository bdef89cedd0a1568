using System.Text;
using ThrottleFs.FileSystem;

namespace ThrottleFs.Tests.FileSystem;

/// <summary>Calls on any <see cref="IFileSystem"/> by path, as the kernel makes them: a lookup per name from the root.</summary>
internal static class FileSystemPaths
{
    /// <summary>Looks <paramref name="path"/> up name by name from the root; each name counts one lookup.</summary>
    public static ulong LookupPath(this IFileSystem fileSystem, string path)
    {
        var node = FileSystemIds.Root;
        foreach (var name in path.Split('/'))
        {
            var error = fileSystem.Lookup(node, Encoding.UTF8.GetBytes(name), out var entry);
            Assert.True(error == Errno.Success, $"lookup of '{name}' in '{path}': {error}");
            node = entry.Node;
        }

        return node;
    }

    /// <summary>Opens <paramref name="path"/> and returns its handle.</summary>
    public static ulong OpenPath(this IFileSystem fileSystem, string path, int flags, in RequestContext context)
    {
        var error = fileSystem.Open(context, fileSystem.LookupPath(path), flags, out var file);
        Assert.True(error == Errno.Success, $"open of '{path}': {error}");
        return file.Handle;
    }
}
