using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using DataEng.Core.Testing;

namespace DataEng.Core.Tests.Telemetry;

public class DataEngTelemetryTests
{
    [Fact]
    public async Task PipelineRun_EmitsRowsBatchesBytesDurationsAndActivities()
    {
        var name = "telemetry-" + Guid.NewGuid().ToString("N");
        using var capture = new TelemetryCapture(name);
        using var first = TestBatch.Parse("id | amount\n1 | 1.5\n2 | null");
        using var second = TestBatch.Parse("id | amount\n3 | 4.0");
        using var sink = new CollectingSink("collect");
        var pipeline = Pipeline.Create(name).Extract(new InMemorySource(first.Schema, [first, second], "memory")).Load(sink).Build();

        var result = await pipeline.RunAsync();

        Assert.Equal(3, capture.Sum("dataeng.stage.rows", "memory"));
        Assert.Equal(3, capture.Sum("dataeng.stage.rows", "collect"));
        Assert.Equal(2, capture.Sum("dataeng.stage.batches", "memory"));
        Assert.Equal(2, capture.Sum("dataeng.stage.batches", "collect"));
        Assert.Equal(result.Stages[^1].Bytes, capture.Sum("dataeng.stage.bytes", "collect"));
        Assert.True(capture.Sum("dataeng.stage.bytes", "collect") > 0);
        Assert.Single(capture.Measurements("dataeng.run.duration"));
        Assert.Single(capture.Measurements("dataeng.commit.duration"));
        Assert.Empty(capture.Measurements("dataeng.run.failures"));

        var run = Assert.Single(capture.Activities, a => a.OperationName == "pipeline.run");
        var commit = Assert.Single(capture.Activities, a => a.OperationName == "pipeline.commit");
        Assert.Equal(name, run.GetTagItem("dataeng.pipeline"));
        Assert.Equal(result.RunNumber, run.GetTagItem("dataeng.run.number"));
        Assert.Equal(result.RunId, run.GetTagItem("dataeng.run.id"));
        Assert.Equal(name, commit.GetTagItem("dataeng.pipeline"));
        Assert.Equal(result.RunNumber, commit.GetTagItem("dataeng.run.number"));
        Assert.Equal(run.SpanId, commit.ParentSpanId);
        Assert.Equal(ActivityStatusCode.Unset, run.Status);
        Assert.All(capture.AllMeasurements, m => Assert.Equal(DataEngTelemetry.Name, m.Meter));
    }

    [Fact]
    public async Task FailedRun_CountsAFailure_AndMarksTheActivityAsError()
    {
        var name = "telemetry-fail-" + Guid.NewGuid().ToString("N");
        using var capture = new TelemetryCapture(name);
        using var data = TestBatch.Parse("id\n1");
        var source = new FlakySource(new InMemorySource(data.Schema, [data]), FlakySchedule.FirstCalls(1));
        var pipeline = Pipeline.Create(name).Extract(source).Load(new NullSink()).Build();

        await Assert.ThrowsAsync<PipelineStageException>(() => pipeline.RunAsync());

        Assert.Equal(1, capture.Sum("dataeng.run.failures", stage: null));
        Assert.Empty(capture.Measurements("dataeng.commit.duration"));
        var run = Assert.Single(capture.Activities, a => a.OperationName == "pipeline.run");
        Assert.Equal(ActivityStatusCode.Error, run.Status);
        Assert.DoesNotContain(capture.Activities, a => a.OperationName == "pipeline.commit");
    }

    [Fact]
    public async Task EveryInstrumentAndActivityName_IsInTheTelemetryTable()
    {
        var name = "telemetry-docs-" + Guid.NewGuid().ToString("N");
        using var capture = new TelemetryCapture(name);
        using var data = TestBatch.Parse("id\n1");
        await Pipeline.Create(name).Extract(new InMemorySource(data.Schema, [data])).Load(new NullSink()).Build().RunAsync();

        var table = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "telemetry.md"));
        var documented = Regex.Matches(table, @"^\|\s*`([a-z_.]+)`", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToHashSet();

        Assert.NotEmpty(capture.Instruments);
        Assert.All(capture.Instruments, i => Assert.Contains(i, documented));
        Assert.All(capture.Activities.Select(a => a.OperationName).Distinct(), a => Assert.Contains(a, documented));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DataEng.Core.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("DataEng.Core.sln not found above " + AppContext.BaseDirectory);
    }

    private sealed record Measurement(string Meter, string Instrument, double Value, Dictionary<string, object?> Tags);

    /// <summary>Captures what the library's meter and activity source emit for one pipeline name.</summary>
    private sealed class TelemetryCapture : IDisposable
    {
        private readonly string _pipeline;
        private readonly MeterListener _meters = new();
        private readonly ActivityListener _activities;
        private readonly ConcurrentQueue<Measurement> _measurements = new();
        private readonly ConcurrentQueue<Activity> _stopped = new();
        private readonly ConcurrentDictionary<string, bool> _instruments = new();

        public TelemetryCapture(string pipeline)
        {
            _pipeline = pipeline;
            _meters.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == DataEngTelemetry.Name)
                {
                    _instruments[instrument.Name] = true;
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _meters.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
            _meters.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
            _meters.Start();
            _activities = new ActivityListener
            {
                ShouldListenTo = s => s.Name == DataEngTelemetry.Name,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = a =>
                {
                    if (Equals(a.GetTagItem("dataeng.pipeline"), _pipeline))
                    {
                        _stopped.Enqueue(a);
                    }
                },
            };
            ActivitySource.AddActivityListener(_activities);
        }

        public IReadOnlyCollection<string> Instruments => [.. _instruments.Keys];

        public IReadOnlyList<Activity> Activities => [.. _stopped];

        public IReadOnlyList<Measurement> AllMeasurements => [.. _measurements];

        public IReadOnlyList<Measurement> Measurements(string instrument) => [.. _measurements.Where(m => m.Instrument == instrument)];

        public double Sum(string instrument, string? stage)
            => _measurements.Where(m => m.Instrument == instrument && (stage is null || Equals(m.Tags.GetValueOrDefault("dataeng.stage"), stage))).Sum(m => m.Value);

        public void Dispose()
        {
            _meters.Dispose();
            _activities.Dispose();
        }

        private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }

            if (Equals(copy.GetValueOrDefault("dataeng.pipeline"), _pipeline))
            {
                _measurements.Enqueue(new Measurement(instrument.Meter.Name, instrument.Name, value, copy));
            }
        }
    }
}
