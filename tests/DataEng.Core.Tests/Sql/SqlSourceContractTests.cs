using System.Globalization;
using System.Text;
using DataEng.Core.Tests.Stages;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataEng.Core.Tests.Sql;

/// <summary>The contract table in a SQLite file, with a connection count for the released-resources check.</summary>
internal static class SqlContractData
{
    public static SqliteTestDatabase CreateDatabase()
    {
        var insert = new StringBuilder("INSERT INTO contract (Id, Name, Amount) VALUES ");
        insert.AppendJoin(", ", ContractData.AllRows().Select(static r => string.Create(
            CultureInfo.InvariantCulture,
            $"({r.Id}, {(r.Name is null ? "NULL" : $"'{r.Name}'")}, {(r.Amount is null ? "NULL" : r.Amount.Value.ToString("R", CultureInfo.InvariantCulture))})")));
        return new SqliteTestDatabase("CREATE TABLE contract (Id INTEGER NOT NULL PRIMARY KEY, Name TEXT, Amount REAL)", insert.ToString());
    }

    public static void AssertConnectionsClosed(SqliteTestDatabase database)
        => Assert.True(database.Opened <= database.Disposed, $"{database.Opened} connections opened, only {database.Disposed} disposed");
}

public sealed class SqlQuerySourceContractTests : SourceContractTests
{
    private readonly SqliteTestDatabase _database = SqlContractData.CreateDatabase();

    protected override ISource CreateSource()
        => Core.Sql.Query(_database.CreateConnection, "SELECT Id, Name, Amount FROM contract ORDER BY Id", options: new SqlSourceOptions { BatchSize = ContractData.BatchSize });

    protected override void AssertResourcesReleased() => SqlContractData.AssertConnectionsClosed(_database);

    protected override void Dispose(bool disposing)
    {
        _database.Dispose();
        base.Dispose(disposing);
    }
}

public sealed class SqlIncrementalSourceContractTests : SourceContractTests
{
    private readonly SqliteTestDatabase _database = SqlContractData.CreateDatabase();

    protected override ISource CreateSource()
        => Core.Sql.Incremental(_database.CreateConnection, "contract", new IncrementalOptions { CursorColumn = "Id", KeyColumns = ["Id"], PageSize = ContractData.BatchSize });

    // Every read is a first run: the plan covers the whole table.
    protected override async ValueTask PrepareRunAsync(ISource source, RunContext context)
        => await ((IIncrementalSource)source).PlanAsync(new IncrementalPlanContext(context.PipelineName, context.RunNumber, context.RunId, null, TimeProvider.System, NullLogger.Instance));

    protected override void AssertResourcesReleased() => SqlContractData.AssertConnectionsClosed(_database);

    protected override void Dispose(bool disposing)
    {
        _database.Dispose();
        base.Dispose(disposing);
    }
}
