using DataEng.Core.Testing;

namespace DataEng.Core.Tests.Testing;

public class FlakySourceTests
{
    [Fact]
    public async Task ReadAsync_FailsOnScheduledCalls_WithATransientError()
    {
        using var data = TestBatch.Parse("id\n1\n2");
        var source = new FlakySource(new InMemorySource(data.Schema, [data]), FlakySchedule.OnCalls(1, 3));

        var first = await Assert.ThrowsAsync<PipelineStageException>(() => TestRun.SourceAsync(source));
        using (var second = await TestRun.SourceAsync(source))
        {
            BatchAssert.Equal(data, second);
        }

        var third = await Assert.ThrowsAsync<PipelineStageException>(() => TestRun.SourceAsync(source));

        Assert.True(first.IsTransient);
        Assert.IsType<TransientDataEngException>(first.InnerException);
        Assert.Contains("read 1", first.InnerException!.Message);
        Assert.True(third.IsTransient);
        Assert.Equal(3, source.Calls);
        Assert.Equal(2, source.Failures);
    }

    [Fact]
    public async Task ReadAsync_PartialPage_YieldsSomeBatchesThenFails_WithoutLeaking()
    {
        var allocator = new CountingMemoryAllocator();
        var batches = Enumerable.Range(0, 4).Select(i => TestBatch.From(new[] { new { id = (long)i } }, allocator: allocator)).ToList();
        var source = new FlakySource(new InMemorySource(batches[0].Schema, batches), FlakySchedule.FirstCalls(1).AfterBatches(2));
        var seen = new List<long>();
        var context = RunContext.CreateStandalone();

        var error = await Assert.ThrowsAsync<TransientDataEngException>(async () =>
        {
            await foreach (var batch in source.ReadAsync(context))
            {
                seen.AddRange(TestBatch.ToRows<ValueTuple<long>>(batch).Select(r => r.Item1));
                batch.Dispose();
            }
        });

        Assert.Equal([0L, 1L], seen);
        Assert.Contains("after 2 batches", error.Message);
        foreach (var batch in batches)
        {
            batch.Dispose();
        }

        Assert.Equal(0, allocator.LiveAllocations);
    }

    [Fact]
    public async Task ReadAsync_CustomException_IsThrownInstead()
    {
        using var data = TestBatch.Parse("id\n1");
        var source = new FlakySource(new InMemorySource(data.Schema, [data]), FlakySchedule.EveryNth(2), call => new IOException($"disk {call}"));

        using (await TestRun.SourceAsync(source))
        {
        }

        var error = await Assert.ThrowsAsync<PipelineStageException>(() => TestRun.SourceAsync(source));

        Assert.Equal("disk 2", error.InnerException!.Message);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public void Ratio_IsReproducibleForASeed_AndRoughlyTheRatio()
    {
        var a = FlakySchedule.Ratio(0.3, seed: 7);
        var b = FlakySchedule.Ratio(0.3, seed: 7);
        var c = FlakySchedule.Ratio(0.3, seed: 8);

        var calls = Enumerable.Range(1, 1000).ToList();
        Assert.Equal(calls.Select(a.Fails), calls.Select(b.Fails));
        Assert.NotEqual(calls.Select(a.Fails), calls.Select(c.Fails));
        Assert.InRange(calls.Count(a.Fails), 240, 360);
        Assert.DoesNotContain(calls, FlakySchedule.Ratio(0, 1).Fails);
        Assert.All(calls, call => Assert.True(FlakySchedule.Ratio(1, 1).Fails(call)));
    }

    [Fact]
    public void Schedules_RejectBadArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FlakySchedule.OnCalls(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => FlakySchedule.EveryNth(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => FlakySchedule.Ratio(1.5, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => FlakySchedule.FirstCalls(1).AfterBatches(-1));
    }
}
