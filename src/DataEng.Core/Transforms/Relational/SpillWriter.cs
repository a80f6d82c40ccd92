using Apache.Arrow;
using Apache.Arrow.Ipc;

namespace DataEng.Core;

/// <summary>Writes the batches of one spill file (Arrow IPC stream format); <see cref="Complete"/> closes it and hands
/// back the file to read. Disposing an uncompleted writer deletes the file.</summary>
internal sealed class SpillWriter : IDisposable
{
    private readonly SpillSpace _space;
    private readonly string _stage;
    private readonly string _path;
    private readonly FileStream _stream;
    private readonly ArrowStreamWriter _writer;
    private long _rows;
    private long _batches;
    private bool _done;

    internal SpillWriter(SpillSpace space, string stage, string path, Schema schema)
    {
        _space = space;
        _stage = stage;
        _path = path;
        _stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        _writer = new ArrowStreamWriter(_stream, schema, leaveOpen: true);
    }

    /// <summary>Gets the rows written so far.</summary>
    public long Rows => _rows;

    /// <summary>Appends a batch (the caller keeps ownership).</summary>
    /// <param name="batch">The batch.</param>
    public void Write(RecordBatch batch)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        _writer.WriteRecordBatch(batch);
        _rows += batch.Length;
        _batches++;
    }

    /// <summary>Ends the file and returns it for reading.</summary>
    /// <returns>The completed file; dispose it to delete it.</returns>
    public SpillFile Complete()
    {
        ObjectDisposedException.ThrowIf(_done, this);
        _writer.WriteEnd();
        _stream.Flush();
        var length = _stream.Length;
        _done = true;
        _writer.Dispose();
        _stream.Dispose();
        _space.AddBytes(_stage, length);
        return new SpillFile(_path, length, _rows, _batches);
    }

    /// <summary>Closes and deletes an uncompleted file.</summary>
    public void Dispose()
    {
        if (_done)
        {
            return;
        }

        _done = true;
        _writer.Dispose();
        _stream.Dispose();
        File.Delete(_path);
    }
}
