using Apache.Arrow;
using Apache.Arrow.Types;

namespace DataEng.Core.DocSnippets.Recipes;

/// <summary>Recipe: every new CSV file of a drop folder into the lake, each file once (docs/recipes.md).</summary>
public static class CsvDropFolder
{
    // <snippet:pipeline>
    public static readonly Schema Readings = new(
    [
        new Field("sensor", StringType.Default, nullable: false),
        new Field("day", StringType.Default, nullable: false),
        new Field("celsius", DoubleType.Default, nullable: true),
    ], null);

    public static Pipeline Build(string inbox, string lakeRoot, string deadLetters)
    {
        var csv = new CsvSourceOptions
        {
            Schema = Readings,                                      // every file must agree: no per-file inference
            NullValues = ["", "NA"],
            BadRows = new BadRowPolicy                              // a malformed record does not block the folder
            {
                Action = BadRowAction.DeadLetter,
                MaxRatio = 0.10,                                    // up to 10 % of a file's records
                Target = DeadLetters.ToFolder(deadLetters),
            },
        };

        var lakeOptions = new LakeWriteOptions();
        lakeOptions.PartitionBy.Add(PartitionSpec.Identity("day"));

        return Pipeline.Create("readings-inbox")
            .Extract(IncrementalFiles.Source(
                inbox, "*.csv", Readings,
                openFile: path => Csv.File(path, csv),
                order: FileOrder.Name))                             // readings-2024-01-02.csv sorts after …-01-01.csv
            .Load(Lake.Write(lakeRoot, lakeOptions))                // the file names loaded are in the commit
            .Build();
    }
    // </snippet:pipeline>
}
