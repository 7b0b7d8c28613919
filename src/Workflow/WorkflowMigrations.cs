using Hangfire.PostgreSql;
using LiverFlow.Messaging.Database;
using LiverFlow.ServiceDefaults;
using Npgsql;

namespace LiverFlow.Workflow;

public static class WorkflowMigrations
{
    /// <summary>Applies the workflow schema's migrations and installs Hangfire's schema (both idempotent).</summary>
    public static async Task MigrateAsync(IServiceProvider services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        await DatabaseMigrations.MigrateAsync<WorkflowDbContext>(services);
        await using var connection = new NpgsqlConnection(configuration.GetLiverFlowConnectionString());
        await connection.OpenAsync();
        PostgreSqlObjectsInstaller.Install(connection, WorkflowServiceCollectionExtensions.HangfireSchema);

        // The worker's DML-only role must use Hangfire's tables too (they are created by the owner here).
        await using var grant = new NpgsqlCommand(HangfireGrants, connection);
        await grant.ExecuteNonQueryAsync();
    }

    private const string HangfireGrants = """
        DO $$
        BEGIN
          IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'liverflow_workflow') THEN
            GRANT USAGE ON SCHEMA hangfire TO liverflow_workflow;
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA hangfire TO liverflow_workflow;
            GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA hangfire TO liverflow_workflow;
          END IF;
        END
        $$;
        """;
}
