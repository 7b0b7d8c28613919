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
    }
}
