using Apache.Arrow;
using Apache.Arrow.Types;
using Microsoft.Extensions.Time.Testing;

namespace DataEng.Core.Tests.Incremental;

public class IncrementalTrackerTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static CommittedRun State(CursorValue watermark, params (CursorValue Cursor, string Key)[] window)
    {
        var tracker = IncrementalTracker.Plan(new IncrementalOptions { MaxWindowKeys = 1000 }, "t", "c", null, null, Now);
        var properties = new Dictionary<string, string>();
        tracker.Complete(properties);
        properties[IncrementalCommitKeys.Watermark] = watermark.Encode();
        properties[IncrementalCommitKeys.Window] = "[" + string.Join(",", window.Select(w => $"[\"{w.Cursor.Encode()}\",\"{w.Key}\"]")) + "]";
        return new CommittedRun(1, "r1", properties);
    }

    [Fact]
    public void Plan_SourceAheadOfTheClock_UpperBoundIsNowMinusLag()
    {
        var time = new FakeTimeProvider(Now);
        var max = CursorValue.FromClr(Now.UtcDateTime);

        var tracker = IncrementalTracker.Plan(new IncrementalOptions { Lag = TimeSpan.FromMinutes(5) }, "t", "c", null, max, time.GetUtcNow());

        Assert.Equal(CursorValue.FromClr(Now.UtcDateTime.AddMinutes(-5)), tracker.High);
    }

    [Fact]
    public void Plan_SourceBehindTheClock_UpperBoundIsTheSourceMaximum()
    {
        var max = CursorValue.FromClr(Now.UtcDateTime.AddHours(-1));

        var tracker = IncrementalTracker.Plan(new IncrementalOptions { Lag = TimeSpan.FromMinutes(5) }, "t", "c", null, max, Now);

        Assert.Equal(max, tracker.High);
    }

    [Theory]
    [InlineData(TimeUnit.Nanosecond, 1772366399_999_999_900L)]
    [InlineData(TimeUnit.Microsecond, 1772366399_999_999L)]
    [InlineData(TimeUnit.Millisecond, 1772366399_999L)]
    [InlineData(TimeUnit.Second, 1772366399L)]
    public void Plan_TimestampCursorOfAnyUnit_UpperBoundIsNeverRoundedUp(TimeUnit unit, long expected)
    {
        // now − lag = 11:59:59.9999999, which only the ns unit holds exactly: coarser units round down, never up.
        var max = CursorValue.Timestamp(long.MaxValue, unit);

        var tracker = IncrementalTracker.Plan(new IncrementalOptions { Lag = TimeSpan.FromTicks(1) }, "t", "c", null, max, Now);

        Assert.Equal(CursorValue.Timestamp(expected, unit), tracker.High);
    }

    [Fact]
    public void Plan_NanosecondWatermark_IsStoredAndReadBackExactly()
    {
        using var array = new TimestampArray.Builder(new TimestampType(TimeUnit.Nanosecond, "UTC")).Append(DateTimeOffset.UnixEpoch).Build();
        var raw = CursorValue.Timestamp(1_700_000_000_123_456_789, TimeUnit.Nanosecond);
        var state = State(raw);

        var tracker = IncrementalTracker.Plan(new IncrementalOptions(), "t", "c", state, CursorValue.Timestamp(1_700_000_000_123_456_790, TimeUnit.Nanosecond), Now);

        Assert.Equal("ts:ns:1700000000123456789", state.Get(IncrementalCommitKeys.Watermark));
        Assert.Equal(raw, tracker.Low);
        Assert.Equal(CursorValue.Timestamp(0, TimeUnit.Nanosecond), CursorValue.FromArrow(array, 0));
    }

    [Fact]
    public void Plan_LookbackInACoarserUnit_WidensTheWindowNeverNarrowsIt()
    {
        var state = State(CursorValue.Timestamp(100, TimeUnit.Second));

        var tracker = IncrementalTracker.Plan(new IncrementalOptions { Lookback = TimeSpan.FromSeconds(1.5) }, "t", "c", state, CursorValue.Timestamp(200, TimeUnit.Second), Now);

        Assert.Equal(CursorValue.Timestamp(98, TimeUnit.Second), tracker.Low);
    }

    [Fact]
    public void Plan_DateCursor_UpperBoundIsTheLastDayThatEnded()
    {
        var max = CursorValue.FromClr(new DateOnly(2026, 3, 5));

        var tracker = IncrementalTracker.Plan(new IncrementalOptions { Lag = TimeSpan.FromHours(1) }, "t", "c", null, max, Now);

        Assert.Equal(CursorValue.FromClr(new DateOnly(2026, 2, 28)), tracker.High);
    }

    [Fact]
    public void Plan_LagOnANumericCursorWithoutAClock_FailsClearly()
    {
        var e = Assert.Throws<InvalidOperationException>(() => IncrementalTracker.Plan(new IncrementalOptions { Lag = TimeSpan.FromMinutes(1) }, "t", "c", null, CursorValue.Integer(5), Now));
        Assert.Contains(nameof(IncrementalOptions.CursorFromTime), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_CursorTypeChanged_FailsClearly()
    {
        var state = State(CursorValue.Integer(5));
        var e = Assert.Throws<DataEngException>(() => IncrementalTracker.Plan(new IncrementalOptions(), "t", "c", state, CursorValue.String("x"), Now));
        Assert.Contains("int:5", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Accept_TiesAtBothBounds_DeliversOnlyRowsNotDeliveredBefore()
    {
        var state = State(CursorValue.Integer(10), (CursorValue.Integer(10), "int:1"), (CursorValue.Integer(10), "int:2"));
        var tracker = IncrementalTracker.Plan(new IncrementalOptions(), "t", "c", state, CursorValue.Integer(20), Now);

        Assert.Equal(CursorValue.Integer(10), tracker.Low);
        Assert.False(tracker.Accept(CursorValue.Integer(10), "int:1", "row 1"));
        Assert.False(tracker.Accept(CursorValue.Integer(10), "int:2", "row 2"));
        Assert.True(tracker.Accept(CursorValue.Integer(10), "int:3", "row 3"));
        Assert.True(tracker.Accept(CursorValue.Integer(20), "int:4", "row 4"));
        Assert.True(tracker.Accept(CursorValue.Integer(20), "int:5", "row 5"));
        var next = new Dictionary<string, string>();
        tracker.Complete(next);

        Assert.Equal("int:20", next[IncrementalCommitKeys.Watermark]);
        Assert.Equal("[[\"int:20\",\"int:4\"],[\"int:20\",\"int:5\"]]", next[IncrementalCommitKeys.Window]);
        Assert.Equal("2", next[IncrementalCommitKeys.Deduplicated]);
    }

    [Fact]
    public void Accept_UpdatedRowWithANewCursor_IsDeliveredAgain()
    {
        var state = State(CursorValue.Integer(10), (CursorValue.Integer(10), "int:1"));
        var tracker = IncrementalTracker.Plan(new IncrementalOptions(), "t", "c", state, CursorValue.Integer(11), Now);

        Assert.True(tracker.Accept(CursorValue.Integer(11), "int:1", "row 1"));
    }

    [Fact]
    public void Complete_NothingDelivered_CarriesTheStateOn()
    {
        var state = State(CursorValue.Integer(10), (CursorValue.Integer(10), "int:1"));
        var tracker = IncrementalTracker.Plan(new IncrementalOptions(), "t", "c", state, null, Now);
        var next = new Dictionary<string, string>();
        tracker.Complete(next);

        Assert.True(tracker.IsEmpty);
        Assert.Equal(state.Get(IncrementalCommitKeys.Watermark), next[IncrementalCommitKeys.Watermark]);
        Assert.Equal(state.Get(IncrementalCommitKeys.Window), next[IncrementalCommitKeys.Window]);
    }

    [Fact]
    public void Complete_WindowLargerThanTheBound_FailsInsteadOfRiskingADuplicate()
    {
        var tracker = IncrementalTracker.Plan(new IncrementalOptions { MaxWindowKeys = 2 }, "t", "c", null, CursorValue.Integer(5), Now);
        for (var i = 0; i < 3; i++)
        {
            tracker.Accept(CursorValue.Integer(5), $"int:{i}", "row");
        }

        var e = Assert.Throws<DataEngException>(() => tracker.Complete(new Dictionary<string, string>()));
        Assert.Contains(nameof(IncrementalOptions.MaxWindowKeys), e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(NullCursorPolicy.Exclude, false)]
    [InlineData(NullCursorPolicy.Include, true)]
    public void Accept_NullCursor_FollowsThePolicy(NullCursorPolicy policy, bool delivered)
    {
        var tracker = IncrementalTracker.Plan(new IncrementalOptions { NullCursor = policy }, "t", "c", null, CursorValue.Integer(5), Now);
        Assert.Equal(delivered, tracker.Accept(null, "int:1", "row 1"));
        Assert.False(tracker.Accept(null, "int:1", "row 1") && policy == NullCursorPolicy.Exclude);
    }

    [Fact]
    public void Accept_NullCursorWithFailPolicy_ThrowsNamingTheColumnAndRow()
    {
        var tracker = IncrementalTracker.Plan(new IncrementalOptions(), "orders", "updated_at", null, CursorValue.Integer(5), Now);
        var e = Assert.Throws<DataFormatException>(() => tracker.Accept(null, "int:7", "row 3"));
        Assert.Equal("updated_at", e.Column);
        Assert.Contains("row 3", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("int:-42")]
    [InlineData("dec:12.3400")]
    [InlineData("date:2026-02-28")]
    [InlineData("dt:638400000000000001:Utc")]
    [InlineData("dto:638400000000000001:120")]
    [InlineData("ts:us:1700000000123456")]
    [InlineData("str:it's ‘quoted’; DROP TABLE x;--")]
    public void Decode_ThenEncode_RoundTripsExactly(string text)
    {
        Assert.Equal(text, CursorValue.Decode(text).Encode());
    }

    [Fact]
    public void KeyText_CompositeKeys_NeverCollide()
    {
        Assert.NotEqual(CursorValue.KeyText(["a:1", "b"]), CursorValue.KeyText(["a", "1:b"]));
        Assert.NotEqual(CursorValue.KeyText([1L]), CursorValue.KeyText(["1"]));
    }
}
