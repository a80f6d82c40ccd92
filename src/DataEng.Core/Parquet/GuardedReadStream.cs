namespace DataEng.Core.ParquetFormat;

/// <summary>
/// A read-only view of a seekable stream for Parquet.Net that turns the ways a damaged file can make a reader spin into
/// exceptions: a read that starts at or beyond the end throws <see cref="EndOfStreamException"/> instead of returning
/// 0 (a Thrift varint loop keeps asking), and every read observes a cancellation token (the open timeout).
/// </summary>
internal sealed class GuardedReadStream : Stream
{
    private readonly Stream _inner;
    private readonly long _length;
    private long _position;

    public GuardedReadStream(Stream inner, long length)
    {
        _inner = inner;
        _length = length;
    }

    /// <summary>Gets or sets the token every read observes.</summary>
    public CancellationToken Token { get; set; }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (!Prepare(buffer.Length, out var count))
        {
            return 0;
        }

        Reposition();
        var read = _inner.Read(buffer[..count]);
        _position += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!Prepare(buffer.Length, out var count))
        {
            return 0;
        }

        using var linked = cancellationToken.CanBeCanceled && Token.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, Token) : null;
        var token = linked?.Token ?? (cancellationToken.CanBeCanceled ? cancellationToken : Token);
        Reposition();
        var read = await _inner.ReadAsync(buffer[..count], token).ConfigureAwait(false);
        _position += read;
        return read;
    }

    public override int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        return Read(one) == 1 ? one[0] : -1;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        Token.ThrowIfCancellationRequested();
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => _length + offset,
        };
        if (target < 0 || target > _length)
        {
            throw new EndOfStreamException($"A seek to byte {target} is outside the file ({_length} bytes).");
        }

        _inner.Seek(target, SeekOrigin.Begin);
        _position = target;
        return target;
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        // The reader owns the inner stream.
        base.Dispose(disposing);
    }

    /// <summary>The reader also reads the inner stream directly (page checks), so every read restores its position.</summary>
    private void Reposition()
    {
        if (_inner.Position != _position)
        {
            _inner.Seek(_position, SeekOrigin.Begin);
        }
    }

    private bool Prepare(int requested, out int count)
    {
        Token.ThrowIfCancellationRequested();
        count = 0;
        if (requested == 0)
        {
            return false;
        }

        if (_position >= _length)
        {
            throw new EndOfStreamException($"A read at byte {_position} is past the end of the file ({_length} bytes).");
        }

        count = (int)Math.Min(requested, _length - _position);
        return true;
    }
}
