using DataEng.Core;
using DataEng.Core.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers DataEng.Core pipelines to run on a schedule inside a .NET generic host.</summary>
public static class DataEngServiceCollectionExtensions
{
    /// <summary>
    /// Registers a pipeline that a hosted service runs on a schedule. Its <see cref="ScheduledPipelineOptions"/> are
    /// first set by <paramref name="configure"/>, then overridden by configuration section
    /// <c>DataEng:Pipelines:{name}</c> (when an <see cref="IConfiguration"/> is registered), and validated when the host
    /// starts.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The pipeline name: the built pipeline must have the same name.</param>
    /// <param name="factory">Builds the pipeline once, when the host starts (it may resolve services).</param>
    /// <param name="configure">Sets schedule defaults in code, or <see langword="null"/>.</param>
    /// <returns>The services.</returns>
    /// <exception cref="ArgumentException">A pipeline with that name is already registered.</exception>
    public static IServiceCollection AddDataEngPipeline(this IServiceCollection services, string name, Func<IServiceProvider, Pipeline> factory, Action<ScheduledPipelineOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        if (services.Any(d => d.ServiceType == typeof(PipelineRegistration) && d.ImplementationInstance is PipelineRegistration r && r.Name == name))
        {
            throw new ArgumentException($"A pipeline named '{name}' is already registered.", nameof(name));
        }

        services.AddSingleton(new PipelineRegistration(name, factory));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(static sp => new PipelineMonitor(sp.GetServices<PipelineRegistration>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ScheduledPipelineOptions>, ScheduledPipelineOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ScheduledPipelineService>());

        var options = services.AddOptions<ScheduledPipelineOptions>(name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Configure<IServiceProvider>((o, sp) => Bind(o, sp.GetService<IConfiguration>()?.GetSection($"{ScheduledPipelineOptions.ConfigurationSection}:{name}")));
        options.ValidateOnStart();
        return services;
    }

    private static void Bind(ScheduledPipelineOptions options, IConfigurationSection? section)
    {
        if (section is null)
        {
            return;
        }

        // A schedule kind chosen in configuration replaces the other kind set as a default in code.
        var interval = section[nameof(ScheduledPipelineOptions.Interval)] is not null;
        var cron = section[nameof(ScheduledPipelineOptions.Cron)] is not null;
        if (interval && !cron)
        {
            options.Cron = null;
        }
        else if (cron && !interval)
        {
            options.Interval = null;
        }

        section.Bind(options);
    }
}
