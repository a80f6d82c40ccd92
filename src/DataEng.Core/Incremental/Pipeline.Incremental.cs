namespace DataEng.Core;

public sealed partial class Pipeline
{
    /// <summary>Returns the same pipeline with another sink (same schemas, options and run counter start).</summary>
    internal Pipeline WithSink(ISink sink) => new(Name, _source, _transforms, sink, _schemas, _options);
}
