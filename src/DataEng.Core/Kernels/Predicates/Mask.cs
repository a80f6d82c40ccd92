using System.Buffers;
using System.Runtime.InteropServices;
using Apache.Arrow;

namespace DataEng.Core;

/// <summary>
/// The result of a predicate over the rows of a batch in SQL three-valued logic: one bit per row in
/// <see cref="True"/> (holds) and one in <see cref="False"/> (does not hold); neither means unknown. Words are pooled.
/// </summary>
internal sealed class Mask : IDisposable
{
    private ulong[]? _true;
    private ulong[]? _false;

    private Mask(int rows)
    {
        Rows = rows;
        Words = Bitmaps.WordCount(rows);
        _true = ArrayPool<ulong>.Shared.Rent(Math.Max(1, Words));
        _false = ArrayPool<ulong>.Shared.Rent(Math.Max(1, Words));
    }

    public int Rows { get; }

    public int Words { get; }

    public Span<ulong> True => _true.AsSpan(0, Words);

    public Span<ulong> False => _false.AsSpan(0, Words);

    public static Mask Rent(int rows) => new(rows);

    /// <summary>Sets the mask from per-row results (garbage allowed for null rows) and the column's validity.</summary>
    public void SetFrom(ReadOnlySpan<ulong> results, ArrayData column)
    {
        var t = True;
        var f = False;
        LoadValidity(column, f);
        for (var i = 0; i < Words; i++)
        {
            var valid = f[i];
            t[i] = results[i] & valid;
            f[i] = ~results[i] & valid;
        }
    }

    /// <summary>Writes the validity of <paramref name="column"/> as words (bits past the last row are zero).</summary>
    public void LoadValidity(ArrayData column, Span<ulong> words)
    {
        if (column.GetNullCount() == 0)
        {
            words.Fill(ulong.MaxValue);
        }
        else
        {
            words.Clear();
            var bytes = MemoryMarshal.AsBytes(words);
            Bitmaps.Copy(column.Buffers[0].Span, column.Offset, bytes, 0, Rows);
        }

        ClearTail(words);
    }

    public void ClearTail(Span<ulong> words)
    {
        var tail = Rows & 63;
        if (tail != 0)
        {
            words[^1] &= (1UL << tail) - 1;
        }
    }

    public void Dispose()
    {
        if (_true is not null)
        {
            ArrayPool<ulong>.Shared.Return(_true);
            ArrayPool<ulong>.Shared.Return(_false!);
            _true = null;
            _false = null;
        }
    }
}
