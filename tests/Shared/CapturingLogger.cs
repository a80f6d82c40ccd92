using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DataEng.Core.Tests;

// Shared by the test projects (linked into each): log capture for assertions on what is logged.

/// <summary>Captures every log line (message and exception text).</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => provider.Lines.Enqueue($"{logLevel} {eventId.Id} {formatter(state, exception)} {exception}");
    }
}

/// <summary>A logger factory over one <see cref="CapturingLoggerProvider"/>.</summary>
internal sealed class CapturingLoggerFactory : ILoggerFactory
{
    public CapturingLoggerProvider Provider { get; } = new();

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public ILogger CreateLogger(string categoryName) => Provider.CreateLogger(categoryName);

    public void Dispose()
    {
    }
}
