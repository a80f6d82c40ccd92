using DataEng.Core.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DataEng.Core.DocSnippets.Guides;

/// <summary>The code of docs/telemetry.md.</summary>
public static class TelemetryGuide
{
    public static HostApplicationBuilder AddOpenTelemetry(HostApplicationBuilder builder)
    {
        // <snippet:opentelemetry>
        builder.Services.AddOpenTelemetry()
            .WithMetrics(m => m.AddMeter(DataEngTelemetry.Name))
            .WithTracing(t => t.AddSource(DataEngTelemetry.Name));
        // </snippet:opentelemetry>
        return builder;
    }
}
