namespace DataEng.Core.Stages;

/// <summary>The kind of a pipeline stage.</summary>
public enum StageKind
{
    /// <summary>A source.</summary>
    Source,

    /// <summary>A stateless batch transform.</summary>
    BatchTransform,

    /// <summary>A stateful stream transform.</summary>
    StreamTransform,

    /// <summary>A sink.</summary>
    Sink,
}
