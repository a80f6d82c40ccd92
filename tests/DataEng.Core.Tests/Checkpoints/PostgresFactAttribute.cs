using Npgsql;

namespace DataEng.Core.Tests.Checkpoints;

/// <summary>
/// A fact that needs PostgreSQL: it runs when <c>DATAENG_TEST_POSTGRES</c> holds the connection string of a reachable
/// server (.ci/run starts one) and is reported as skipped, with the reason, otherwise — never as passed.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Reason = new(FindSkipReason);

    public PostgresFactAttribute()
    {
        if (Reason.Value is { } reason)
        {
            Skip = reason;
        }
    }

    /// <summary>Gets why PostgreSQL tests are skipped, or null when a server is reachable.</summary>
    public static string? SkipReason => Reason.Value;

    public static string ConnectionString => Environment.GetEnvironmentVariable("DATAENG_TEST_POSTGRES") ?? string.Empty;

    private static string? FindSkipReason()
    {
        var connectionString = Environment.GetEnvironmentVariable("DATAENG_TEST_POSTGRES");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return "PostgreSQL is not configured: set DATAENG_TEST_POSTGRES to a connection string (.ci/run starts a server and sets it).";
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 5 };
            using var connection = new NpgsqlConnection(builder.ConnectionString);
            connection.Open();
            return null;
        }
        catch (Exception e) when (e is NpgsqlException or ArgumentException or InvalidOperationException or TimeoutException)
        {
            return $"PostgreSQL from DATAENG_TEST_POSTGRES is not reachable ({e.GetType().Name}); start a server to run this test.";
        }
    }
}
