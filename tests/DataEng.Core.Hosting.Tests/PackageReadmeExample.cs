using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DataEng.Core.Hosting.Tests;

// The example of src/DataEng.Core.Hosting/README.md (checked by DocSnippetsTests), compiled here so that the README
// on nuget.org cannot rot. Not run: it would start a host until stopped.
internal static class PackageReadmeExample
{
    public static void Run(string[] args)
    {
        // <snippet:hosting-readme>
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddDataEngPipeline("orders", _ => Pipeline.Create("orders")
            .Extract(Csv.Files(builder.Configuration["Orders:DropFolder"] ?? "drop"))
            .Load(Lake.Write("lake/orders"))
            .Build());
        builder.Services.AddHealthChecks().AddDataEngHealthChecks();
        builder.Build().Run();
        // </snippet:hosting-readme>
    }
}
