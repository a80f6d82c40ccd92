namespace DataEng.Core.DocSnippets.Guides;

/// <summary>The code of docs/transforms.md.</summary>
public static class TransformsGuide
{
    public static Pipeline Budget()
    {
        // <snippet:budget>
        var pipeline = Pipeline.Create("orders")
            .Extract(Csv.File("orders.csv"))
            .Load(Lake.Write("lake/orders"))
            .Configure(o =>
            {
                o.MemoryBudget = 512L * 1024 * 1024;  // per stateful operator, unless it sets its own
                o.SpillDirectory = "/mnt/scratch";    // default: dataeng-spill under the temp folder
            })
            .Build();
        // </snippet:budget>
        return pipeline;
    }
}
