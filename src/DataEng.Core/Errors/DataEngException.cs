namespace DataEng.Core;

/// <summary>The base of every exception the library throws for a data or pipeline failure.</summary>
public class DataEngException : Exception
{
    /// <summary>Creates an exception.</summary>
    public DataEngException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What failed, where, and what to do.</param>
    public DataEngException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    /// <param name="message">What failed, where, and what to do.</param>
    /// <param name="innerException">The cause.</param>
    public DataEngException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// Gets a value indicating whether retrying the failed operation may succeed (a lost connection, a timeout,
    /// a lock held by another process). Terminal failures (bad data, a schema mismatch, a bug) are never retried.
    /// </summary>
    public virtual bool IsTransient => false;
}
