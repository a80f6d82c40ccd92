namespace DataEng.Core.Testing;

/// <summary>
/// Thrown by <see cref="BatchAssert"/> when batches differ. Any test framework (xUnit, NUnit, MSTest) reports it as a
/// failed test with its message: the schema differences or the first differing rows and columns.
/// </summary>
public sealed class BatchAssertionException : Exception
{
    /// <summary>Creates an exception.</summary>
    public BatchAssertionException()
        : base("The record batches differ.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What differs.</param>
    public BatchAssertionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    /// <param name="message">What differs.</param>
    /// <param name="innerException">The cause.</param>
    public BatchAssertionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
