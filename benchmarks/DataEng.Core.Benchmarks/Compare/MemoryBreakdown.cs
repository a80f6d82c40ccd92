using System.Diagnostics.Tracing;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
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
/// read by reflection from the writer the pipeline opened), and glibc's view of the native heap (<c>mallinfo2</c>);</item>
/// <item>at most once a second, at a new highest sample, the resident set by kind of mapping (<c>/proc/self/smaps</c>):
/// the GC's range, glibc's arenas (so memory glibc keeps after a free shows up), its mmapped blocks, file-backed
/// pages.</item>
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
    private readonly byte[] _gcMarker = GC.AllocateArray<byte>(1, pinned: true);
    private Snapshot _peak;
    private Snapshot _mappedPeak;
    private long _lastMapTicks;
    private long _maxInputNative;
    private long _maxWriterNative;
    private object? _writer;

    private MemoryBreakdown()
    {
        _collectionsAtStart = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        _allocatedAtStart = GC.GetTotalAllocatedBytes(precise: true);
        _peak = Take(null);
        _mappedPeak = _peak;
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
        Snapshot peak, mapped;
        lock (_gate)
        {
            peak = _peak;
            mapped = _mappedPeak;
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
        var known = peak.GcCommitted + peak.InputOutstanding + peak.InputRetained + Math.Max(0, peak.WriterOutstanding) + Math.Max(0, peak.WriterRetained) + peak.ResidentFile;
        sb.AppendLine(invariant, $"    rest: {Mb(peak.Resident - known)} MB (runtime, thread stacks, memory glibc keeps after a free; negative when committed GC pages or the tails of pool blocks were never touched)");
        if (mapped.Map is { } map && mapped.Malloc is { } m)
        {
            sb.AppendLine(invariant, $"  by mapping (/proc/self/smaps, at the highest sample it was read, at most once a second: resident {Mb(mapped.Resident)} MB, {mapped.Elapsed.TotalSeconds:N1} s into the turn):");
            sb.AppendLine(invariant, $"    GC heap range {Mb(map.Gc)} MB (GC committed as of the last GC then: {Mb(mapped.GcCommitted)} MB)");
            sb.AppendLine(invariant, $"    glibc arenas (main heap + 64 MiB thread heaps) {Mb(map.Arenas)} MB, of which handed out {Mb(m.InUse - m.Mapped)} MB (mallinfo2) and free but resident ≈ {Mb(map.Arenas - (m.InUse - m.Mapped))} MB");
            sb.AppendLine(invariant, $"    other anonymous {Mb(map.OtherAnonymous)} MB: glibc's mmapped blocks {Mb(m.Mapped)} MB (the pools' large blocks), the rest ≈ {Mb(map.OtherAnonymous - m.Mapped)} MB: thread stacks and the runtime's own memory, less the never-touched tails of pool blocks");
            sb.AppendLine(invariant, $"    file-backed and shared {Mb(map.File)} MB (code, mapped assemblies, the JIT's double-mapped code)");
            sb.AppendLine(invariant, $"    pools then: input batches {Mb(mapped.InputOutstanding + mapped.InputRetained)} MB, lake writer {Mb(Math.Max(0, mapped.WriterOutstanding + mapped.WriterRetained))} MB (both inside the glibc numbers above)");
        }

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
                // Walking the arenas locks them, and reading every mapping takes a few ms: only at a new peak, and
                // the mappings at most once a second.
                snapshot = snapshot with { Malloc = MallocState.Read() };
                var now = Environment.TickCount64;
                var readMap = now - _lastMapTicks >= 1000;
                if (readMap)
                {
                    _lastMapTicks = now;
                    snapshot = snapshot with { Map = MappedMemory.Read(_gcMarker) };
                }

                lock (_gate)
                {
                    _peak = snapshot;
                    if (readMap && snapshot.Map is not null)
                    {
                        _mappedPeak = snapshot;
                    }
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

        public MappedMemory? Map { get; init; }
    }

    /// <summary>
    /// The resident set by kind of mapping (<c>/proc/self/smaps</c>): the GC's reserved range (the run of anonymous
    /// mappings that holds a pinned marker object), glibc's arenas (<c>[heap]</c> and the 64 MiB-aligned thread heaps),
    /// other anonymous memory (glibc's mmapped blocks, thread stacks, the runtime's own) and file-backed pages.
    /// Heuristic by construction; good to a few MB.
    /// </summary>
    private sealed record MappedMemory(long Gc, long Arenas, long OtherAnonymous, long File)
    {
        private const long ThreadHeapSize = 64L * 1024 * 1024;

        public static unsafe MappedMemory? Read(byte[] marker)
        {
            if (!OperatingSystem.IsLinux())
            {
                return null;
            }

            var address = (ulong)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(marker));
            var maps = new List<(ulong Start, ulong End, string Name, long Rss)>();
            foreach (var line in System.IO.File.ReadLines("/proc/self/smaps"))
            {
                var dash = line.IndexOf('-', StringComparison.Ordinal);
                var space = line.IndexOf(' ', StringComparison.Ordinal);
                if (dash > 0 && space > dash && ulong.TryParse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var start)
                    && ulong.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var end))
                {
                    var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
                    maps.Add((start, end, fields.Length > 5 ? fields[5].Trim() : string.Empty, 0));
                }
                else if (line.StartsWith("Rss:", StringComparison.Ordinal) && maps.Count > 0)
                {
                    maps[^1] = maps[^1] with { Rss = ProcStatus.Kb(line) };
                }
            }

            // The GC's range: the contiguous anonymous mappings around the marker.
            var index = maps.FindIndex(m => m.Start <= address && address < m.End);
            var (gcFirst, gcLast) = (index, index);
            while (gcFirst > 0 && maps[gcFirst - 1].End == maps[gcFirst].Start && maps[gcFirst - 1].Name.Length == 0)
            {
                gcFirst--;
            }

            while (gcLast >= 0 && gcLast + 1 < maps.Count && maps[gcLast + 1].Start == maps[gcLast].End && maps[gcLast + 1].Name.Length == 0)
            {
                gcLast++;
            }

            var heapStarts = maps.Where(static m => m.Name.Length == 0 && m.Start % ThreadHeapSize == 0).Select(static m => m.Start).ToHashSet();
            long gc = 0, arenas = 0, other = 0, file = 0;
            for (var i = 0; i < maps.Count; i++)
            {
                var (start, end, name, rss) = maps[i];
                if (index >= 0 && i >= gcFirst && i <= gcLast)
                {
                    gc += rss;
                }
                else if (name == "[heap]" || (name.Length == 0 && heapStarts.Contains(start - (start % ThreadHeapSize)) && end <= start - (start % ThreadHeapSize) + ThreadHeapSize))
                {
                    arenas += rss;
                }
                else if (name.Length == 0 || name.StartsWith('['))
                {
                    other += rss;
                }
                else
                {
                    file += rss;
                }
            }

            return new MappedMemory(gc, arenas, other, file);
        }
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

        public static long Kb(string line)
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
