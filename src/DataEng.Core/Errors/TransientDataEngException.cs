namespace DataEng.Core;

/// <summary>A failure that may go away if the operation is retried (network, timeouts, contention).</summary>
public class TransientDataEngException : DataEngException
{
    /// <summary>Creates an exception.</summary>
    public TransientDataEngException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What failed.</param>
    public TransientDataEngException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public TransientDataEngException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <inheritdoc />
    public override bool IsTransient => true;
}
