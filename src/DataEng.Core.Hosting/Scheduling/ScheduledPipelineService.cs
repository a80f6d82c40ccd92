using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DataEng.Core.Hosting;

/// <summary>
/// Runs every registered, enabled pipeline on its schedule. Each pipeline has one loop, so its runs never overlap: an
/// occurrence that passes while a run is in progress is skipped. Time comes from the registered
/// <see cref="TimeProvider"/>. On shutdown the stopping token cancels in-flight runs: the runner aborts a run that has
/// not begun its commit and finishes one that has; <see cref="StopAsync"/> waits for that up to the host's shutdown
/// timeout. A pipeline registered as incremental runs <see cref="IncrementalPipelineExtensions.RunIncrementalAsync"/>:
/// a cancelled run commits nothing and leaves its checkpoint unchanged.
/// </summary>
internal sealed class ScheduledPipelineService : BackgroundService
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromDays(1);
    private readonly IReadOnlyList<PipelineRegistration> _registrations;
    private readonly IOptionsMonitor<ScheduledPipelineOptions> _options;
    private readonly PipelineMonitor _monitor;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IServiceProvider _services;
    private readonly List<Scheduled> _scheduled = [];

    public ScheduledPipelineService(
        IEnumerable<PipelineRegistration> registrations,
        IOptionsMonitor<ScheduledPipelineOptions> options,
        PipelineMonitor monitor,
        TimeProvider time,
        IServiceProvider services)
    {
        _registrations = [.. registrations];
        _options = options;
        _monitor = monitor;
        _time = time;
        _logger = (services.GetService(typeof(ILoggerFactory)) as ILoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("DataEng.Core.Hosting.Scheduler");
        _services = services;
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var problems = new List<string>();
        foreach (var registration in _registrations)
        {
            var options = _options.Get(registration.Name);
            var optionProblems = options.Validate(registration.Name);
            if (optionProblems.Count > 0)
            {
                problems.AddRange(optionProblems);
                continue;
            }

            if (!options.Enabled)
            {
                _monitor.Update(registration.Name, s => new PipelineStatus(s) { Enabled = false, SchedulerStartedAt = now });
                Log.Disabled(_logger, registration.Name);
                continue;
            }

            Pipeline pipeline;
            try
            {
                pipeline = registration.Factory(_services);
            }
            catch (Exception e)
            {
                problems.Add($"pipeline '{registration.Name}' could not be built: {e.Message}");
                continue;
            }

            if (pipeline.Name != registration.Name)
            {
                problems.Add($"pipeline registered as '{registration.Name}' is named '{pipeline.Name}'; use one name (it keys configuration, health and checkpoints).");
                continue;
            }

            IncrementalRunOptions? runOptions = null;
            if (registration.Incremental is { } createRunOptions)
            {
                try
                {
                    runOptions = createRunOptions(_services);
                }
                catch (Exception e)
                {
                    problems.Add($"pipeline '{registration.Name}': its incremental run options could not be created: {e.Message}");
                    continue;
                }

                var incrementalProblems = IncrementalProblems(registration.Name, pipeline, runOptions);
                if (incrementalProblems.Count > 0)
                {
                    problems.AddRange(incrementalProblems);
                    continue;
                }
            }

            var schedule = PipelineSchedule.Create(options, now);
            var sla = options.FreshnessSla ?? schedule.Period * 2;
            var first = options.RunOnStart ? now : schedule.Next(now);
            _monitor.Update(registration.Name, s => new PipelineStatus(s) { Enabled = true, SchedulerStartedAt = now, FreshnessSla = sla, IsIncremental = runOptions is not null });
            _scheduled.Add(new Scheduled(registration.Name, pipeline, schedule, options, first, runOptions));
            Log.Scheduled(_logger, registration.Name, schedule.ToString(), first, sla);
        }

        if (problems.Count > 0)
        {
            throw new OptionsValidationException(ScheduledPipelineOptions.ConfigurationSection, typeof(ScheduledPipelineOptions), problems);
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var scheduled in _scheduled)
        {
            if (_monitor.GetStatus(scheduled.Name).IsRunning)
            {
                Log.WaitingForRun(_logger, scheduled.Name);
            }
        }

        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
        => Task.WhenAll(_scheduled.Select(s => Task.Run(() => RunLoopAsync(s, stoppingToken), CancellationToken.None)));

    private async Task RunLoopAsync(Scheduled scheduled, CancellationToken stoppingToken)
    {
        var due = scheduled.FirstDue;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (due == DateTimeOffset.MaxValue)
            {
                Log.NoMoreRuns(_logger, scheduled.Name, scheduled.Schedule.ToString());
                return;
            }

            Log.NextRun(_logger, scheduled.Name, due);
            try
            {
                // NextRunAt is published once the timer is armed, so a test on a fake clock that sees it can advance
                // the clock without racing the timer's registration. Task.Delay cannot wait more than ~49 days; long
                // gaps are waited in steps.
                var wait = due - _time.GetUtcNow();
                if (wait <= TimeSpan.Zero)
                {
                    _monitor.Update(scheduled.Name, s => new PipelineStatus(s) { NextRunAt = due });
                }

                for (; wait > TimeSpan.Zero; wait = due - _time.GetUtcNow())
                {
                    var delay = Task.Delay(wait < MaxDelay ? wait : MaxDelay, _time, stoppingToken);
                    _monitor.Update(scheduled.Name, s => new PipelineStatus(s) { NextRunAt = due });
                    _monitor.OnWaiting(scheduled.Name, due);
                    await delay.ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            await RunOnceAsync(scheduled, stoppingToken).ConfigureAwait(false);
            var now = _time.GetUtcNow();
            var next = scheduled.Schedule.Next(due > now ? due : now);
            var missed = scheduled.Schedule.Next(due);
            if (missed < next && missed != DateTimeOffset.MaxValue)
            {
                Log.RunMissed(_logger, scheduled.Name, missed, next);
            }

            due = next;
        }
    }

    private async Task RunOnceAsync(Scheduled scheduled, CancellationToken stoppingToken)
    {
        var name = scheduled.Name;
        _monitor.Update(name, s => new PipelineStatus(s) { IsRunning = true, LastRunStartedAt = _time.GetUtcNow() });
        RunResult? result = null;
        IncrementalRunResult? incremental = null;
        Exception? failure = null;
        PipelineStatus status;
        try
        {
            if (scheduled.Incremental is { } runOptions)
            {
                // Exactly once: the data and the new watermark are committed together; a cancelled run commits
                // nothing and leaves the checkpoint as it was, so the next run (in this process or the next) resumes.
                incremental = await scheduled.Pipeline.RunIncrementalAsync(runOptions, stoppingToken).ConfigureAwait(false);
                result = incremental.Run;
            }
            else
            {
                result = await scheduled.Pipeline.RunAsync(stoppingToken).ConfigureAwait(false);
            }

            var committed = result;
            status = _monitor.Update(name, s => new PipelineStatus(s)
            {
                IsRunning = false,
                LastSuccessAt = _time.GetUtcNow(),
                LastResult = committed,
                LastIncrementalResult = incremental ?? s.LastIncrementalResult,
                SuccessfulRuns = s.SuccessfulRuns + 1,
            });
            if (incremental is not null)
            {
                Log.IncrementalRunSucceeded(_logger, name, result.RunNumber, result.RowsWritten, incremental.Plan.DisplayLow, incremental.Plan.DisplayHigh, incremental.Watermark ?? "(none)", result.Duration.TotalMilliseconds);
            }
            else
            {
                Log.RunSucceeded(_logger, name, result.RunNumber, result.RowsWritten, result.Duration.TotalMilliseconds);
            }
        }
        catch (OperationCanceledException e) when (stoppingToken.IsCancellationRequested)
        {
            failure = e;
            status = _monitor.Update(name, s => new PipelineStatus(s) { IsRunning = false, CancelledRuns = s.CancelledRuns + 1 });
            Log.RunCancelled(_logger, name);
        }
        catch (Exception e)
        {
            failure = e;
            status = _monitor.Update(name, s => new PipelineStatus(s)
            {
                IsRunning = false,
                LastFailureAt = _time.GetUtcNow(),
                LastFailure = e,
                FailedRuns = s.FailedRuns + 1,
            });
            Log.RunFailed(_logger, e, name, scheduled.Schedule.Next(_time.GetUtcNow()));
        }

        if (scheduled.Options.OnRunCompleted is { } callback)
        {
            try
            {
                await callback(new PipelineRunCompletedArguments(status, result, failure, _services, stoppingToken) { IncrementalResult = incremental }).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Log.CallbackFailed(_logger, e, name);
            }
        }
    }

    /// <summary>Checks, when the host starts, what <see cref="IncrementalPipelineExtensions.RunIncrementalAsync"/> would
    /// otherwise only report at the first run.</summary>
    private static List<string> IncrementalProblems(string name, Pipeline pipeline, IncrementalRunOptions? runOptions)
    {
        var problems = new List<string>();
        if (runOptions is null)
        {
            problems.Add($"pipeline '{name}': its incremental run options factory returned null; return an IncrementalRunOptions.");
            return problems;
        }

        if (pipeline.Source is not IIncrementalSource)
        {
            problems.Add($"pipeline '{name}' is registered as incremental but its source '{pipeline.Source.Name}' is not an {nameof(IIncrementalSource)}; use Sql.Incremental, IncrementalFiles.Source or Incremental.Over, or register it with AddDataEngPipeline.");
        }

        if (pipeline.Sink is not ICheckpointingSink && runOptions.CheckpointStore is null)
        {
            problems.Add($"pipeline '{name}' is registered as incremental but has nowhere to keep its state: its sink '{pipeline.Sink.Name}' is not an {nameof(ICheckpointingSink)} and no checkpoint store is set; register an {nameof(ICheckpointStore)} in the services or set {nameof(IncrementalRunOptions)}.{nameof(IncrementalRunOptions.CheckpointStore)}.");
        }

        if (runOptions.LeaseRenewalInterval <= TimeSpan.Zero)
        {
            problems.Add($"pipeline '{name}': {nameof(IncrementalRunOptions)}.{nameof(IncrementalRunOptions.LeaseRenewalInterval)} must be positive (was {runOptions.LeaseRenewalInterval}).");
        }

        return problems;
    }

    private sealed record Scheduled(string Name, Pipeline Pipeline, PipelineSchedule Schedule, ScheduledPipelineOptions Options, DateTimeOffset FirstDue, IncrementalRunOptions? Incremental);
}
