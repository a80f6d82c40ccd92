using DataEng.Core.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds a freshness health check per hosted DataEng.Core pipeline.</summary>
public static class DataEngHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds one health check per pipeline registered with
    /// <see cref="DataEngServiceCollectionExtensions.AddDataEngPipeline"/> (before or after this call), named
    /// <c>dataeng:{name}</c>: healthy while the last successful commit is within the freshness SLA, degraded when the
    /// last run failed but the data is still fresh, <paramref name="failureStatus"/> once the SLA is exceeded.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="failureStatus">The status reported for a stale pipeline, or <see langword="null"/> for
    /// <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags for the checks (for example <c>ready</c>), or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddDataEngHealthChecks(this IHealthChecksBuilder builder, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = new HealthCheckSettings(failureStatus, tags?.ToArray() ?? []);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton(static sp => new PipelineMonitor(sp.GetServices<PipelineRegistration>()));
        builder.Services.AddSingleton<IConfigureOptions<HealthCheckServiceOptions>>(sp => new ConfigureNamedOptions<HealthCheckServiceOptions>(Options.Options.DefaultName, options =>
        {
            foreach (var registration in sp.GetServices<PipelineRegistration>())
            {
                var name = registration.Name;
                options.Registrations.Add(new HealthCheckRegistration(
                    "dataeng:" + name,
                    s => new PipelineHealthCheck(name, s.GetRequiredService<PipelineMonitor>(), s.GetRequiredService<TimeProvider>()),
                    settings.FailureStatus,
                    settings.Tags));
            }
        }));
        return builder;
    }

    private sealed record HealthCheckSettings(HealthStatus? FailureStatus, string[] Tags);
}
