namespace DataEng.Core.Benchmarks.Data;

/// <summary>A temporary folder for a benchmark class's outputs, removed when disposed.</summary>
internal sealed class ScratchDirectory : IDisposable
{
    public ScratchDirectory(string name)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"dataeng-bench-{name}-{Environment.ProcessId}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Returns a path inside the folder.</summary>
    public string this[string name] => System.IO.Path.Combine(Path, name);

    /// <summary>Removes a file or folder if it exists (between iterations, outside the measure).</summary>
    public static void Clear(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
        else if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
