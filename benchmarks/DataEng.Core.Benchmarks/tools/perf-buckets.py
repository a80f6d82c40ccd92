#!/usr/bin/env python3
"""Summarises a `perf record` of the benchmarks program by where the time goes.

Usage (Linux, perf installed; see docs/benchmarks.md "Profiling"):
  export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0
  perf record -F 999 -g -o perf.data -- dotnet <benchmarks dll> profile lake --rows 10000000 --repeat 5
  perf script -i perf.data -F tid,comm,ip,sym --no-demangle > perf.txt   # or just pass perf.data
  python3 perf-buckets.py perf.data [--seconds TOTAL_MEASURED_SECONDS]

Each sample is attributed to the first bucket whose pattern matches its leaf symbol (self time), and separately
to the first bucket matched anywhere on its stack (inclusive time). With --seconds, percentages are also shown
as seconds of that total (e.g. the sum of the profiled runs' times).
"""
import re
import subprocess
import sys
from collections import Counter

BUCKETS = [
    ("dataset generation (setup, not measured)", r"StandardDataset|SplitMix64"),
    ("snappy compression", r"Snappier|Snappy"),
    ("zstd compression", r"ZstdSharp|Zstd"),
    ("strings: UTF-8 -> UTF-16 decode", r"DecodeStrings|TranscodeToUtf16|GetPointerToFirstInvalidChar|Utf8Utility::TranscodeToUtf16|GetString"),
    ("strings: Parquet.Net encode (UTF-16 -> UTF-8)", r"ParquetPlainEncoder::Encode\(.*ReadOnlyMemory`1<char>|TranscodeToUtf8"),
    ("dictionary detection/encoding", r"Dictionary`2\[System.ReadOnlyMemory|TryExtractDictionary|ParquetDictionaryEncoder|SequenceCompareTo|Dictionary"),
    ("statistics (min/max)", r"StatsCompute"),
    ("definition levels / RLE", r"RleBitpacked|DefinitionLevels|BuildDefinitionLevels|Bitmap"),
    ("plain numeric encode", r"ParquetPlainEncoder|DeltaBinaryPacked"),
    ("partition split / routing", r"Split|RowBuffer|PartitionKey|Scatter|Gather|Take|Route"),
    ("Arrow buffers / pooling", r"PooledMemoryAllocator|ArrowBuffer|NativeMemory|MemoryAllocator"),
    ("memcpy / memset", r"memmove|memcpy|memset|Memmove|SpanHelpers::Fill|ClearWithoutReferences"),
    ("kernel: page faults / fresh memory", r"page_fault|clear_page|do_anonymous_page|get_page_from_freelist|handle_mm_fault|memcg|__alloc_pages|folio_add|lru_"),
    ("kernel: file writes / page cache", r"copy_folio_from_iter|filemap|ext4|xfs|generic_perform_write|iomap|write_begin|block_write"),
    ("kernel: fsync", r"fsync|jbd2|blk_|submit_bio|nvme|virtblk"),
    ("GC", r"gc_heap|WKS::|SVR::|GCHeap|mark_object|plan_phase|relocate|memclr"),
    ("thread pool / scheduling / locks", r"ThreadPool|PortableThreadPool|Monitor|SpinWait|futex|schedule|finish_task_switch|_raw_spin|LowLevelLifoSemaphore"),
    ("DuckDB (verification, setup)", r"duckdb|libduckdb"),
]


def samples(path):
    if path.endswith(".data"):
        text = subprocess.run(["perf", "script", "-i", path, "-F", "comm,tid,ip,sym,dso"], capture_output=True, text=True, check=False).stdout
    else:
        text = open(path, encoding="utf-8", errors="replace").read()
    stack = []
    for line in text.splitlines():
        if not line.strip():
            if stack:
                yield stack
            stack = []
        elif line.startswith((" ", "\t")):
            stack.append(line.strip())
        else:
            if stack:
                yield stack
            stack = []
    if stack:
        yield stack


def bucket(frame):
    for name, pattern in BUCKETS:
        if re.search(pattern, frame):
            return name
    return None


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    seconds = None
    if "--seconds" in sys.argv:
        seconds = float(sys.argv[sys.argv.index("--seconds") + 1])
    self_counts, incl_counts, total = Counter(), Counter(), 0
    for stack in samples(sys.argv[1]):
        total += 1
        self_counts[bucket(stack[0]) or "other (self)"] += 1
        for frame in stack:
            b = bucket(frame)
            if b:
                incl_counts[b] += 1
                break
        else:
            incl_counts["other"] += 1
    print(f"{total} samples")
    print(f"{'bucket':50} {'self %':>7} {'first-match %':>14}" + ("  self s" if seconds else ""))
    for name in [b for b, _ in BUCKETS] + ["other (self)", "other"]:
        s, i = self_counts.get(name, 0), incl_counts.get(name, 0)
        if s == 0 and i == 0:
            continue
        extra = f"  {seconds * s / total:6.2f}" if seconds else ""
        print(f"{name:50} {100 * s / total:6.1f}% {100 * i / total:13.1f}%{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
