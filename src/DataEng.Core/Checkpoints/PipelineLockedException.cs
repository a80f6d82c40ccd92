namespace DataEng.Core;

/// <summary>
/// Another process (or another run in this process) holds the lease of the pipeline, or this run lost its lease.
/// Two runs of one pipeline never commit at once: the second fails with this exception.
/// </summary>
public sealed class PipelineLockedException : DataEngException
{
    /// <summary>Creates an exception.</summary>
    public PipelineLockedException()
    {
        PipelineName = string.Empty;
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public PipelineLockedException(string message)
        : base(message)
    {
        PipelineName = string.Empty;
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public PipelineLockedException(string message, Exception? innerException)
        : base(message, innerException)
    {
        PipelineName = string.Empty;
    }

    /// <summary>Creates an exception for a pipeline held by someone else.</summary>
    /// <param name="pipelineName">The pipeline.</param>
    /// <param name="store">The store that holds the lease.</param>
    /// <param name="holder">Who holds it, when known.</param>
    /// <param name="expiresAt">When the lease expires, for stores with expiry.</param>
    /// <param name="innerException">The cause, if any.</param>
    public PipelineLockedException(string pipelineName, string store, string? holder, DateTimeOffset? expiresAt, Exception? innerException = null)
        : base(Describe(pipelineName, store, holder, expiresAt), innerException)
    {
        PipelineName = pipelineName;
        Holder = holder;
        ExpiresAt = expiresAt;
    }

    /// <summary>Gets the pipeline.</summary>
    public string PipelineName { get; }

    /// <summary>Gets who holds the lease, when known.</summary>
    public string? Holder { get; }

    /// <summary>Gets when the lease expires, for stores with expiry.</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <inheritdoc />
    public override bool IsTransient => true;

    private static string Describe(string pipelineName, string store, string? holder, DateTimeOffset? expiresAt)
    {
        var who = holder is null ? "another process" : $"'{holder}'";
        var until = expiresAt is { } e
            ? $" The lease expires at {e:O} if its holder stops renewing it."
            : " The lock is released when its holder finishes or its process exits.";
        return $"Pipeline '{pipelineName}' is already running: {who} holds its lease in {store}.{until} Do not run the same pipeline twice at once; retry after the other run ends.";
    }
}
