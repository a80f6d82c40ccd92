using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace DataEng.Core;

/// <summary>
/// Default Polly v8 resilience pipelines for stages (retry with exponential backoff and jitter on transient failures
/// only, a timeout per attempt, a circuit breaker), and decorators that put a pipeline around any stage.
/// </summary>
public static class DataEngResilience
{
    /// <summary>Creates the default pipeline for sources: up to 5 retries of transient failures (exponential backoff
    /// from 1 s with jitter, capped at 30 s), a 5 minute timeout per attempt, and a circuit breaker that opens for
    /// 15 s when half of at least 20 calls in 30 s fail transiently.</summary>
    /// <param name="timeProvider">The clock for delays and timeouts (use the pipeline's), or <see langword="null"/>
    /// for <see cref="TimeProvider.System"/>.</param>
    /// <param name="loggerFactory">Where retries are logged, or <see langword="null"/>.</param>
    /// <param name="stageName">The stage name used in retry logs.</param>
    /// <returns>The pipeline.</returns>
    public static ResiliencePipeline CreateSourcePipeline(TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null, string stageName = "source")
        => Create(timeProvider, loggerFactory, stageName, retries: 5);

    /// <summary>Creates the default pipeline for sinks: like <see cref="CreateSourcePipeline"/> with up to 3 retries.</summary>
    /// <param name="timeProvider">The clock, or <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="loggerFactory">Where retries are logged, or <see langword="null"/>.</param>
    /// <param name="stageName">The stage name used in retry logs.</param>
    /// <returns>The pipeline.</returns>
    public static ResiliencePipeline CreateSinkPipeline(TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null, string stageName = "sink")
        => Create(timeProvider, loggerFactory, stageName, retries: 3);

    /// <summary>Creates retry options that handle transient failures only (<see cref="TransientErrors.IsTransient"/>),
    /// with exponential backoff and jitter, as a starting point for custom pipelines.</summary>
    /// <param name="maxRetryAttempts">How many retries.</param>
    /// <param name="delay">The base delay.</param>
    /// <returns>The options.</returns>
    public static RetryStrategyOptions CreateRetryOptions(int maxRetryAttempts = 5, TimeSpan? delay = null) => new()
    {
        ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Exception is { } e && TransientErrors.IsTransient(e)),
        MaxRetryAttempts = maxRetryAttempts,
        BackoffType = DelayBackoffType.Exponential,
        UseJitter = true,
        Delay = delay ?? TimeSpan.FromSeconds(1),
        MaxDelay = TimeSpan.FromSeconds(30),
    };

    /// <summary>Puts a resilience pipeline around a source: a transient failure before the first batch is retried by
    /// reading again from the start. A failure after a batch was handed on is not retried (that would duplicate
    /// rows): sources that can resume (like the incremental SQL source) retry inside, page by page.</summary>
    /// <param name="source">The source.</param>
    /// <param name="pipeline">The resilience pipeline.</param>
    /// <returns>The decorated source.</returns>
    public static ISource WithResilience(this ISource source, ResiliencePipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(pipeline);
        return new ResilientSource(source, pipeline);
    }

    /// <summary>Puts a resilience pipeline around every call to a sink and its writers (open, write, prepare, commit,
    /// abort). A sink must make a failed call safe to repeat: a write that failed leaves nothing of the batch behind
    /// (the lake rewrites its own staged file), and a repeated commit is a no-op.</summary>
    /// <param name="sink">The sink.</param>
    /// <param name="pipeline">The resilience pipeline.</param>
    /// <returns>The decorated sink.</returns>
    public static ISink WithResilience(this ISink sink, ResiliencePipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(pipeline);
        return sink is ICheckpointingSink checkpointing ? new ResilientCheckpointingSink(checkpointing, pipeline) : new ResilientSink(sink, pipeline);
    }

    /// <summary>Puts a resilience pipeline around a stateless transform (each <see cref="IBatchTransform.Apply"/>).</summary>
    /// <param name="transform">The transform.</param>
    /// <param name="pipeline">The resilience pipeline.</param>
    /// <returns>The decorated transform.</returns>
    public static IBatchTransform WithResilience(this IBatchTransform transform, ResiliencePipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(transform);
        ArgumentNullException.ThrowIfNull(pipeline);
        return new ResilientBatchTransform(transform, pipeline);
    }

    private static ResiliencePipeline Create(TimeProvider? timeProvider, ILoggerFactory? loggerFactory, string stageName, int retries)
    {
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("DataEng.Core.Resilience");
        var retry = CreateRetryOptions(retries);
        retry.OnRetry = args =>
        {
            Log.StageRetried(logger, args.Outcome.Exception, stageName, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds);
            return ValueTask.CompletedTask;
        };

        return new ResiliencePipelineBuilder { TimeProvider = timeProvider ?? TimeProvider.System }
            .AddRetry(retry)
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Exception is { } e && TransientErrors.IsTransient(e)),
                FailureRatio = 0.5,
                MinimumThroughput = 20,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = TimeSpan.FromSeconds(15),
            })
            .AddTimeout(new TimeoutStrategyOptions { Timeout = TimeSpan.FromMinutes(5) })
            .Build();
    }
}
