using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DataEng.Core.Hosting;

/// <summary>
/// Reports one pipeline's freshness: healthy while the last successful commit is within the freshness SLA, degraded
/// when the data is still fresh but the last run failed, and the registration's failure status (unhealthy by default)
/// once the SLA is exceeded. The data carries the times, counts, the last committed run number (and, for an incremental
/// pipeline, its watermark) and the last failure's message.
/// </summary>
internal sealed class PipelineHealthCheck(string pipelineName, PipelineMonitor monitor, TimeProvider time) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = monitor.GetStatus(pipelineName);
        var now = time.GetUtcNow();
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["pipeline"] = pipelineName,
            ["enabled"] = status.Enabled,
            ["running"] = status.IsRunning,
            ["successfulRuns"] = status.SuccessfulRuns,
            ["failedRuns"] = status.FailedRuns,
            ["freshnessSla"] = status.FreshnessSla.ToString("c", CultureInfo.InvariantCulture),
        };
        if (status.LastSuccessAt is { } lastSuccess)
        {
            data["lastSuccessAt"] = lastSuccess.ToString("O", CultureInfo.InvariantCulture);
            data["secondsSinceLastSuccess"] = Math.Round((now - lastSuccess).TotalSeconds, 3);
        }

        if (status.LastResult is { } last)
        {
            data["lastRunNumber"] = last.RunNumber;
        }

        if (status.IsIncremental)
        {
            data["incremental"] = true;
            if (status.LastWatermark is { } watermark)
            {
                data["watermark"] = watermark;
            }
        }

        if (status.NextRunAt is { } next)
        {
            data["nextRunAt"] = next.ToString("O", CultureInfo.InvariantCulture);
        }

        var lastFailed = status.LastFailureAt is { } failedAt && (status.LastSuccessAt is null || failedAt >= status.LastSuccessAt);
        if (status.LastFailure is { } failure && status.LastFailureAt is { } at)
        {
            data["lastFailureAt"] = at.ToString("O", CultureInfo.InvariantCulture);
            data["lastFailure"] = failure.Message;
        }

        var failureStatus = context.Registration?.FailureStatus ?? HealthStatus.Unhealthy;
        HealthCheckResult result;
        if (status.SchedulerStartedAt is not { } startedAt)
        {
            result = new HealthCheckResult(failureStatus, $"Pipeline '{pipelineName}' is not running: the scheduler has not started.", data: data);
        }
        else if (!status.Enabled)
        {
            result = HealthCheckResult.Healthy($"Pipeline '{pipelineName}' is disabled.", data);
        }
        else
        {
            var since = status.LastSuccessAt ?? startedAt;
            var age = now - since;
            var fresh = age <= status.FreshnessSla;
            var what = status.LastSuccessAt is null ? $"no successful commit since the start {Seconds(age)} ago" : $"last successful commit {Seconds(age)} ago{Committed(status)}";
            if (!fresh)
            {
                result = new HealthCheckResult(failureStatus, $"Pipeline '{pipelineName}' is stale: {what}, SLA {Seconds(status.FreshnessSla)}." + LastFailure(status, lastFailed), status.LastFailure, data);
            }
            else if (lastFailed)
            {
                result = HealthCheckResult.Degraded($"Pipeline '{pipelineName}' is within its SLA ({what}) but its last run failed." + LastFailure(status, lastFailed), status.LastFailure, data);
            }
            else
            {
                result = HealthCheckResult.Healthy($"Pipeline '{pipelineName}' is fresh: {what}, SLA {Seconds(status.FreshnessSla)}.", data);
            }
        }

        return Task.FromResult(result);
    }

    private static string LastFailure(PipelineStatus status, bool lastFailed)
        => lastFailed && status.LastFailure is { } e ? $" Last failure: {e.Message}" : "";

    private static string Committed(PipelineStatus status)
        => status.LastIncrementalResult is { } run
            ? $" (run {run.Run.RunNumber.ToString(CultureInfo.InvariantCulture)}, watermark {run.Watermark ?? "none"})"
            : "";

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
