using System.Globalization;
using DataEng.Core;
using Quickstart;

// The quickstart: an incremental, exactly-once pipeline from a SQLite database of orders into a day-partitioned
// Parquet lake, on embedded defaults (no server). See docs/quickstart.md.
const string Usage = """
    Usage:
      dotnet run --project samples/Quickstart                      create ./quickstart-data if missing, run once, peek at the lake
      dotnet run --project samples/Quickstart -- run [--data DIR] [--peek]
                                                                   run the pipeline once (creates the source if missing);
                                                                   exits 0 only after the run's commit
      dotnet run --project samples/Quickstart -- add [--data DIR] --orders N [--seed S]
                                                                   append N new orders (deterministic for a seed; some late)
      dotnet run --project samples/Quickstart -- --help

    DIR defaults to ./quickstart-data (orders.db is the source, lake/ the Parquet lake).
    Exit codes: 0 done, 1 the run or the command failed, 2 bad arguments.
    """;

if (args is ["--help"] or ["-h"] or ["help"])
{
    Console.WriteLine(Usage);
    return 0;
}

Command command;
try
{
    command = Command.Parse(args);
}
catch (FormatException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine(Usage);
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var database = new OrdersDatabase(command.Data);
var lake = Path.Combine(command.Data, "lake");
try
{
    Directory.CreateDirectory(command.Data);
    switch (command.Verb)
    {
        case "add":
            database.EnsureCreated(initialOrders: 0);
            database.Add(command.Orders, command.Seed);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Added {command.Orders:N0} orders to {database.Path} (seed {command.Seed}); it now holds {database.Count():N0}."));
            return 0;

        default:
            var created = database.EnsureCreated();
            if (created > 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Created the source {database.Path} with {created:N0} orders."));
            }

            var pipeline = OrdersPipeline.Build(database, lake);
            await OrdersPipeline.RunAsync(pipeline, lake, cancel.Token);
            if (command.Peek)
            {
                await OrdersPipeline.PeekAsync(lake, cancel.Token);
                Console.WriteLine();
                Console.WriteLine($"Add orders and run again; only the new ones are loaded:");
                Console.WriteLine($"  dotnet run --project samples/Quickstart -- add --data {command.Data} --orders 1000");
                Console.WriteLine($"  dotnet run --project samples/Quickstart -- run --data {command.Data}");
            }

            return 0;
    }
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("Cancelled: nothing of this run was committed; the next run starts from the last commit.");
    return 1;
}
catch (Exception e) when (e is DataEngException or IOException or UnauthorizedAccessException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    if (e.InnerException is { } inner)
    {
        Console.Error.WriteLine($"  caused by: {inner.Message}");
    }

    return 1;
}

/// <summary>The parsed command line.</summary>
internal sealed record Command(string Verb, string Data, int Orders, int Seed, bool Peek)
{
    public static Command Parse(string[] args)
    {
        var verb = args.Length == 0 || args[0].StartsWith('-') ? "default" : args[0];
        if (verb is not ("default" or "run" or "add"))
        {
            throw new FormatException($"unknown command '{verb}'.");
        }

        var data = "quickstart-data";
        int? orders = null;
        var seed = 1;
        var peek = verb == "default";
        for (var i = verb == "default" ? 0 : 1; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--data":
                    data = Value();
                    break;
                case "--orders" when verb == "add":
                    orders = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 10_000_000
                        ? n
                        : throw new FormatException("--orders must be a whole number from 1 to 10,000,000.");
                    break;
                case "--seed" when verb == "add":
                    seed = int.TryParse(Value(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var s)
                        ? s
                        : throw new FormatException("--seed must be a whole number.");
                    break;
                case "--peek" when verb != "add":
                    peek = true;
                    break;
                default:
                    throw new FormatException($"unknown argument '{args[i]}' for '{(verb == "default" ? "the default run" : verb)}'.");
            }
        }

        if (verb == "add" && orders is null)
        {
            throw new FormatException("add needs --orders N.");
        }

        return new Command(verb, data, orders ?? 0, seed, peek);
    }
}
