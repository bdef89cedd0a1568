namespace ThrottleFs.Platform.Linux.Tests.Mounts.Exerciser;

/// <summary>
/// What a file must hold: its size and its bytes, in memory. Bytes beyond the size are kept zero, so growing the
/// file (a truncate, a write past the end) reads back zeros there, as a hole does.
/// </summary>
internal sealed class FileModel(string name, long capacity)
{
    private readonly byte[] _content = new byte[capacity];

    public string Name { get; } = name;

    public long Size { get; private set; }

    public ReadOnlySpan<byte> Content => _content.AsSpan(0, (int)Size);

    /// <summary>The bytes of [offset, offset + length), which must lie within the capacity.</summary>
    public ReadOnlySpan<byte> Slice(long offset, long length) => _content.AsSpan((int)offset, (int)length);

    /// <summary>How many bytes a read of <paramref name="length"/> at <paramref name="offset"/> gets: none at or past the end.</summary>
    public long Available(long offset, long length) => offset >= Size ? 0 : Math.Min(length, Size - offset);

    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return; // a zero-length write changes nothing, not even the size
        }

        data.CopyTo(_content.AsSpan((int)offset));
        Size = Math.Max(Size, offset + data.Length);
    }

    /// <summary>ftruncate: cuts the bytes past the new size, or grows the file with zeros.</summary>
    public void Resize(long size)
    {
        if (size < Size)
        {
            _content.AsSpan((int)size, (int)(Size - size)).Clear();
        }

        Size = size;
    }

    /// <summary>Zeros [offset, offset + length) where it lies within the file; the size does not change.</summary>
    public void Zero(long offset, long length)
    {
        var end = Math.Min(offset + length, Size);
        if (end > offset)
        {
            _content.AsSpan((int)offset, (int)(end - offset)).Clear();
        }
    }

    /// <summary>Copies <paramref name="count"/> bytes of <paramref name="source"/> from <paramref name="from"/> to <paramref name="to"/> here.</summary>
    public void CopyFrom(FileModel source, long from, long to, long count)
    {
        if (count > 0)
        {
            source._content.AsSpan((int)from, (int)count).CopyTo(_content.AsSpan((int)to));
            Size = Math.Max(Size, to + count);
        }
    }
}
