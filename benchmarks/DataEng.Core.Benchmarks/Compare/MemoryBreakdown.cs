using System.Diagnostics.Tracing;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using Apache.Arrow;

namespace DataEng.Core.Benchmarks.Compare;

/// <summary>
/// <c>compare --memory-breakdown</c>: where the memory of one measured turn goes, traced in the process that runs it.
/// <list type="bullet">
/// <item>managed allocation by type: an in-process <see cref="EventListener"/> on the runtime's event source (GC
/// keyword, verbose) sums <c>GCAllocationTick_V4</c> (one event per ≈ 100 KB allocated, carrying the type of the
/// object that crossed the threshold and the bytes since the previous tick), so the per-type split is a sample,
/// the total is <see cref="GC.GetTotalAllocatedBytes"/>;</item>
/// <item>GC counts per generation and the reasons of the collections, the largest heap after a GC (gen 0–2, LOH,
/// POH) from <c>GCHeapStats_V2</c>;</item>
/// <item>a sampler thread (every 10 ms) keeps the snapshot taken at the highest resident set it saw: the resident
/// set split into anonymous and file-backed pages, the GC heap (size, fragmentation and committed bytes as of the
/// last GC, LOH), the native bytes of the input batches (<see cref="PooledMemoryAllocator.Shared"/>, which the
/// pipeline's sources allocate from) and of the lake writer's row buffers (its own <see cref="PooledMemoryAllocator"/>,
/// read by reflection from the writer the pipeline opened).</item>
/// </list>
/// Off by default: without the option nothing here runs and the measured run is unchanged. With it, the listener
/// and the sampler cost some time (the turn's seconds are not comparable) and a few MB (the table's peak includes
/// them).
/// </summary>
internal sealed partial class MemoryBreakdown : IDisposable
{
    private readonly AllocationListener _listener = new();
    private readonly Thread _sampler;
    private readonly int[] _collectionsAtStart;
    private readonly long _allocatedAtStart;
    private readonly object _gate = new();
    private volatile bool _stop;
    private bool _listenerDisposed;
    private Snapshot _peak;
    private long _maxInputNative;
    private long _maxWriterNative;
    private object? _writer;

    private MemoryBreakdown()
    {
        _collectionsAtStart = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        _allocatedAtStart = GC.GetTotalAllocatedBytes(precise: true);
        _peak = Take(null);
        _sampler = new Thread(Sample) { IsBackground = true, Name = "memory-breakdown" };
        _sampler.Start();
    }

    /// <summary>Gets the breakdown being recorded, if any (the lake engines then let it observe their writer).</summary>
    public static MemoryBreakdown? Current { get; private set; }

    /// <summary>Starts recording (the listener, the counters, the sampler) and makes it <see cref="Current"/>.</summary>
    public static MemoryBreakdown Start() => Current = new MemoryBreakdown();

    /// <summary>Wraps a sink so the breakdown can read the native memory of the writer it opens.</summary>
    public ISink Observe(ISink sink) => new ObservedSink(sink, this);

    /// <summary>Stops recording and formats what was seen.</summary>
    /// <param name="title">The case and engine.</param>
    /// <param name="rows">The rows of the turn, for the bytes per row.</param>
    /// <param name="peakBytes">The turn's peak resident set (the kernel's high-water mark).</param>
    public string Stop(string title, long rows, long peakBytes)
    {
        _stop = true;
        _sampler.Join();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - _allocatedAtStart;
        int[] collections = [GC.CollectionCount(0) - _collectionsAtStart[0], GC.CollectionCount(1) - _collectionsAtStart[1], GC.CollectionCount(2) - _collectionsAtStart[2]];
        DisposeListener();
        Snapshot peak;
        lock (_gate)
        {
            peak = _peak;
        }

        var invariant = CultureInfo.InvariantCulture;
        static string Mb(long bytes) => (bytes / 1e6).ToString("N0", CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        sb.AppendLine(invariant, $"Memory breakdown: {title}, last measured turn, {rows:N0} rows");
        sb.AppendLine(invariant, $"  peak resident set (VmHWM): {Mb(peakBytes)} MB");
        sb.AppendLine(invariant, $"  at the highest sample (every 10 ms, {peak.Elapsed.TotalSeconds:N1} s into the turn): resident {Mb(peak.Resident)} MB = anonymous {Mb(peak.ResidentAnonymous)} + file-backed {Mb(peak.ResidentFile)} (+ shared memory {Mb(peak.ResidentShared)})");
        sb.AppendLine(invariant, $"    GC heap: committed {Mb(peak.GcCommitted)} MB, heap size {Mb(peak.GcHeapSize)} MB, fragmented {Mb(peak.GcFragmented)} MB, LOH {Mb(peak.GcLoh)} MB (all as of the last GC, #{peak.GcIndex}); in use now {Mb(peak.GcInUse)} MB");
        sb.AppendLine(invariant, $"    native, input batches (PooledMemoryAllocator.Shared): outstanding {Mb(peak.InputOutstanding)} MB + retained {Mb(peak.InputRetained)} MB");
        sb.AppendLine(peak.WriterOutstanding < 0
            ? "    native, lake writer row buffers: not observed (not a lake engine)"
            : string.Create(invariant, $"    native, lake writer row buffers (its PooledMemoryAllocator): outstanding {Mb(peak.WriterOutstanding)} MB + retained {Mb(peak.WriterRetained)} MB"));
        sb.AppendLine(peak.Malloc is { } m
            ? string.Create(invariant, $"    native heap (glibc mallinfo2, every arena): in use {Mb(m.InUse)} MB (of which mmapped {Mb(m.Mapped)} MB), free but kept in the arenas {Mb(m.Free)} MB (the pools' blocks are part of \"in use\")")
            : "    native heap: mallinfo2 not available");
        var known = peak.GcCommitted + peak.InputOutstanding + peak.InputRetained + Math.Max(0, peak.WriterOutstanding) + Math.Max(0, peak.WriterRetained) + peak.ResidentFile;
        sb.AppendLine(invariant, $"    rest (runtime, native codecs, thread stacks, malloc free lists; committed-but-untouched GC pages count as not resident): {Mb(peak.Resident - known)} MB");
        sb.AppendLine(invariant, $"  maxima over the turn: input batches native {Mb(_maxInputNative)} MB, lake writer native {Mb(Math.Max(0, _maxWriterNative))} MB, GC heap after a GC {Mb(_listener.MaxHeapAfterGc)} MB (LOH {Mb(_listener.MaxLohAfterGc)} MB, POH {Mb(_listener.MaxPohAfterGc)} MB)");
        sb.AppendLine(invariant, $"  GCs: gen0 {collections[0]}, gen1 {collections[1]}, gen2 {collections[2]} (a gen-N GC counts for every lower generation too); reasons: {_listener.Reasons()}");
        sb.AppendLine(invariant, $"  managed allocation: {Mb(allocated)} MB ({(double)allocated / Math.Max(1, rows):N1} B per row); sampled by type ({_listener.Ticks:N0} ticks, {Mb(_listener.SampledBytes)} MB attributed), top 15:");
        sb.AppendLine("    | type | kind | MB (sampled) | share | ticks |");
        sb.AppendLine("    | --- | --- | ---: | ---: | ---: |");
        foreach (var (type, kind, bytes, ticks) in _listener.Top(15))
        {
            sb.AppendLine(invariant, $"    | {type} | {kind} | {Mb(bytes)} | {(double)bytes / Math.Max(1, _listener.SampledBytes):P1} | {ticks:N0} |");
        }

        Current = null;
        return sb.ToString();
    }

    public void Dispose()
    {
        _stop = true;
        _sampler.Join();
        DisposeListener();
        if (Current == this)
        {
            Current = null;
        }
    }

    private void DisposeListener()
    {
        if (!_listenerDisposed)
        {
            _listenerDisposed = true;
            _listener.Dispose();
        }
    }

    private static (long Outstanding, long Retained) WriterMemory(object? writer)
    {
        if (writer is null)
        {
            return (-1, -1);
        }

        // LakeSinkWriter keeps its row buffers in a private PooledMemoryAllocator; read it without changing the writer.
        var field = writer.GetType().GetFields(BindingFlags.Instance | BindingFlags.NonPublic).FirstOrDefault(static f => f.FieldType == typeof(PooledMemoryAllocator));
        return field?.GetValue(writer) is PooledMemoryAllocator allocator ? (allocator.OutstandingBytes, allocator.RetainedBytes) : (-1, -1);
    }

    private Snapshot Take(System.Diagnostics.Stopwatch? clock)
    {
        var status = ProcStatus.Read();
        var info = GC.GetGCMemoryInfo();
        var (writerOutstanding, writerRetained) = WriterMemory(Volatile.Read(ref _writer));
        return new Snapshot
        {
            Elapsed = clock?.Elapsed ?? TimeSpan.Zero,
            Resident = status.Resident,
            ResidentAnonymous = status.Anonymous,
            ResidentFile = status.File,
            ResidentShared = status.Shared,
            GcCommitted = info.TotalCommittedBytes,
            GcHeapSize = info.HeapSizeBytes,
            GcFragmented = info.FragmentedBytes,
            GcLoh = info.GenerationInfo.Length > 3 ? info.GenerationInfo[3].SizeAfterBytes : 0,
            GcIndex = info.Index,
            GcInUse = GC.GetTotalMemory(forceFullCollection: false),
            InputOutstanding = PooledMemoryAllocator.Shared.OutstandingBytes,
            InputRetained = PooledMemoryAllocator.Shared.RetainedBytes,
            WriterOutstanding = writerOutstanding,
            WriterRetained = writerRetained,
        };
    }

    private void Sample()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!_stop)
        {
            var snapshot = Take(clock);
            _maxInputNative = Math.Max(_maxInputNative, snapshot.InputOutstanding + snapshot.InputRetained);
            _maxWriterNative = Math.Max(_maxWriterNative, snapshot.WriterOutstanding + snapshot.WriterRetained);
            if (snapshot.Resident > _peak.Resident)
            {
                // Walking the arenas locks them: only at a new peak.
                snapshot = snapshot with { Malloc = MallocState.Read() };
                lock (_gate)
                {
                    _peak = snapshot;
                }
            }

            Thread.Sleep(10);
        }
    }

    private readonly record struct Snapshot
    {
        public TimeSpan Elapsed { get; init; }

        public long Resident { get; init; }

        public long ResidentAnonymous { get; init; }

        public long ResidentFile { get; init; }

        public long ResidentShared { get; init; }

        public long GcCommitted { get; init; }

        public long GcHeapSize { get; init; }

        public long GcFragmented { get; init; }

        public long GcLoh { get; init; }

        public long GcIndex { get; init; }

        public long GcInUse { get; init; }

        public long InputOutstanding { get; init; }

        public long InputRetained { get; init; }

        public long WriterOutstanding { get; init; }

        public long WriterRetained { get; init; }

        public MallocState? Malloc { get; init; }
    }

    /// <summary>glibc's view of the native heap (<c>mallinfo2</c>, glibc 2.33 and later): what it hands out and what it keeps.</summary>
    private readonly record struct MallocState(long InUse, long Mapped, long Free)
    {
        public static MallocState? Read()
        {
            if (!OperatingSystem.IsLinux())
            {
                return null;
            }

            try
            {
                var info = MallInfo2();
                return new MallocState((long)(info.Uordblks + info.Hblkhd), (long)info.Hblkhd, (long)info.Fordblks);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                return null;
            }
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo
    {
        public nuint Arena;
        public nuint Ordblks;
        public nuint Smblks;
        public nuint Hblks;
        public nuint Hblkhd;
        public nuint Usmblks;
        public nuint Fsmblks;
        public nuint Uordblks;
        public nuint Fordblks;
        public nuint Keepcost;
    }

    [LibraryImport("libc", EntryPoint = "mallinfo2")]
    private static partial MallInfo MallInfo2();

    /// <summary>The resident set of this process from <c>/proc/self/status</c> (zeros elsewhere but the total).</summary>
    private readonly record struct ProcStatus(long Resident, long Anonymous, long File, long Shared)
    {
        public static ProcStatus Read()
        {
            if (!OperatingSystem.IsLinux())
            {
                return new ProcStatus(MemoryProbe.CurrentResidentBytes(), 0, 0, 0);
            }

            long resident = 0, anonymous = 0, file = 0, shared = 0;
            foreach (var line in System.IO.File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    resident = Kb(line);
                }
                else if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
                {
                    anonymous = Kb(line);
                }
                else if (line.StartsWith("RssFile:", StringComparison.Ordinal))
                {
                    file = Kb(line);
                }
                else if (line.StartsWith("RssShmem:", StringComparison.Ordinal))
                {
                    shared = Kb(line);
                }
            }

            return new ProcStatus(resident, anonymous, file, shared);
        }

        private static long Kb(string line)
        {
            var value = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim().Split(' ')[0];
            return long.Parse(value, CultureInfo.InvariantCulture) * 1024;
        }
    }

    /// <summary>Passes everything to the inner sink and remembers the writer it opens.</summary>
    private sealed class ObservedSink(ISink inner, MemoryBreakdown owner) : ISink
    {
        public string Name => inner.Name;

        public void Validate(Schema input) => inner.Validate(input);

        public async ValueTask<ISinkWriter> OpenAsync(Schema schema, RunContext context, CancellationToken cancellationToken = default)
        {
            var writer = await inner.OpenAsync(schema, context, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref owner._writer, writer);
            return writer;
        }
    }

    /// <summary>Aggregates the runtime's GC events: allocation ticks by type, collections by reason, heap sizes after each GC.</summary>
    private sealed class AllocationListener : EventListener
    {
        private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
        private const long GcKeyword = 0x1;
        private const int GcStartId = 1;
        private const int GcHeapStatsId = 4;
        private const int AllocationTickId = 10;

        // Initialised before the base constructor runs, which may already call OnEventSourceCreated.
        private readonly Dictionary<(string Type, int Kind), (long Bytes, long Ticks)> _byType = [];
        private readonly Dictionary<int, int> _reasons = [];
        private readonly object _gate = new();

        public long Ticks { get; private set; }

        public long SampledBytes { get; private set; }

        public long MaxHeapAfterGc { get; private set; }

        public long MaxLohAfterGc { get; private set; }

        public long MaxPohAfterGc { get; private set; }

        public List<(string Type, string Kind, long Bytes, long Ticks)> Top(int count)
        {
            lock (_gate)
            {
                return [.. _byType.OrderByDescending(static e => e.Value.Bytes).Take(count)
                    .Select(static e => (e.Key.Type, KindName(e.Key.Kind), e.Value.Bytes, e.Value.Ticks))];
            }
        }

        public string Reasons()
        {
            lock (_gate)
            {
                return _reasons.Count == 0
                    ? "none seen"
                    : string.Join(", ", _reasons.OrderByDescending(static r => r.Value).Select(static r => string.Create(CultureInfo.InvariantCulture, $"{ReasonName(r.Key)} {r.Value}")));
            }
        }

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == RuntimeSource)
            {
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)GcKeyword);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.Payload is not { } payload || eventData.PayloadNames is not { } names)
            {
                return;
            }

            switch (eventData.EventId)
            {
                case AllocationTickId:
                    var type = Get<string>(names, payload, "TypeName") ?? "?";
                    var kind = Convert.ToInt32(Get<object>(names, payload, "AllocationKind") ?? 0, CultureInfo.InvariantCulture);
                    var amount = Convert.ToInt64(Get<object>(names, payload, "AllocationAmount64") ?? Get<object>(names, payload, "AllocationAmount") ?? 0L, CultureInfo.InvariantCulture);
                    lock (_gate)
                    {
                        var current = _byType.GetValueOrDefault((type, kind));
                        _byType[(type, kind)] = (current.Bytes + amount, current.Ticks + 1);
                        Ticks++;
                        SampledBytes += amount;
                    }

                    break;
                case GcStartId:
                    var reason = Convert.ToInt32(Get<object>(names, payload, "Reason") ?? -1, CultureInfo.InvariantCulture);
                    lock (_gate)
                    {
                        _reasons[reason] = _reasons.GetValueOrDefault(reason) + 1;
                    }

                    break;
                case GcHeapStatsId:
                    long Size(string name) => Convert.ToInt64(Get<object>(names, payload, name) ?? 0L, CultureInfo.InvariantCulture);
                    var loh = Size("GenerationSize3");
                    var poh = Size("GenerationSize4");
                    var total = Size("GenerationSize0") + Size("GenerationSize1") + Size("GenerationSize2") + loh + poh;
                    lock (_gate)
                    {
                        MaxHeapAfterGc = Math.Max(MaxHeapAfterGc, total);
                        MaxLohAfterGc = Math.Max(MaxLohAfterGc, loh);
                        MaxPohAfterGc = Math.Max(MaxPohAfterGc, poh);
                    }

                    break;
            }
        }

        private static T? Get<T>(System.Collections.ObjectModel.ReadOnlyCollection<string> names, System.Collections.ObjectModel.ReadOnlyCollection<object?> payload, string name)
            where T : class
        {
            var index = names.IndexOf(name);
            return index >= 0 && index < payload.Count ? payload[index] as T : null;
        }

        private static string KindName(int kind) => kind switch
        {
            0 => "small",
            1 => "large",
            2 => "pinned",
            _ => kind.ToString(CultureInfo.InvariantCulture),
        };

        private static string ReasonName(int reason) => reason switch
        {
            0 => "small alloc",
            1 => "induced",
            2 => "low memory",
            3 => "empty",
            4 => "large alloc",
            5 => "out of space (SOH)",
            6 => "out of space (LOH)",
            7 => "induced, not forced",
            8 => "internal",
            9 => "induced, low memory",
            10 => "induced, compacting",
            11 => "low memory (host)",
            12 => "PM full",
            13 => "PM stress",
            _ => reason.ToString(CultureInfo.InvariantCulture),
        };
    }
}
