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
        return Add(services, name, new PipelineRegistration(name, factory), configure);
    }

    /// <summary>
    /// Registers a pipeline that a hosted service runs <em>incrementally</em> on a schedule: each run is
    /// <see cref="IncrementalPipelineExtensions.RunIncrementalAsync"/>, which loads only what is new since the last
    /// committed run, exactly once, and commits the data with the new watermark. Its source must be an
    /// <see cref="IIncrementalSource"/> (<c>Sql.Incremental</c>, <c>IncrementalFiles.Source</c>, <c>Incremental.Over</c>)
    /// and its state must have a home: a sink that is an <see cref="ICheckpointingSink"/> (the lake), a checkpoint
    /// store, or both; the host does not start otherwise. Scheduling, configuration and validation are those of
    /// <see cref="AddDataEngPipeline"/>; the health check's freshness is the time since the last committed run.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The pipeline name: the built pipeline must have the same name (it also keys the checkpoint).</param>
    /// <param name="factory">Builds the pipeline once, when the host starts (it may resolve services).</param>
    /// <param name="configure">Sets schedule defaults in code, or <see langword="null"/>.</param>
    /// <param name="runOptions">Creates the run options once, when the host starts, or <see langword="null"/> for
    /// defaults whose <see cref="IncrementalRunOptions.CheckpointStore"/> is the <see cref="ICheckpointStore"/>
    /// registered in the services, if any. Options you create are used as they are (resolve a store yourself).</param>
    /// <returns>The services.</returns>
    /// <exception cref="ArgumentException">A pipeline with that name is already registered.</exception>
    public static IServiceCollection AddDataEngIncrementalPipeline(this IServiceCollection services, string name, Func<IServiceProvider, Pipeline> factory, Action<ScheduledPipelineOptions>? configure = null, Func<IServiceProvider, IncrementalRunOptions>? runOptions = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        return Add(services, name, new PipelineRegistration(name, factory, runOptions ?? DefaultRunOptions), configure);
    }

    private static IncrementalRunOptions DefaultRunOptions(IServiceProvider provider)
        => new() { CheckpointStore = provider.GetService<ICheckpointStore>() };

    private static IServiceCollection Add(IServiceCollection services, string name, PipelineRegistration registration, Action<ScheduledPipelineOptions>? configure)
    {
        if (services.Any(d => d.ServiceType == typeof(PipelineRegistration) && d.ImplementationInstance is PipelineRegistration r && r.Name == name))
        {
            throw new ArgumentException($"A pipeline named '{name}' is already registered.", nameof(name));
        }

        services.AddSingleton(registration);
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
