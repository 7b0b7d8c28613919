using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace LiverFlow.ServiceDefaults;

public static class DatabaseExtensions
{
    /// <summary>The connection string name every service reads (<c>ConnectionStrings__liverflow</c> in the environment).</summary>
    public const string ConnectionStringName = "liverflow";

    /// <summary>
    /// Reads the connection string from configuration only; there is deliberately no fallback
    /// with credentials in code.
    /// </summary>
    public static string GetLiverFlowConnectionString(this IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException(
                $"No database connection string: set ConnectionStrings:{ConnectionStringName} in configuration " +
                $"or the environment variable ConnectionStrings__{ConnectionStringName}.");
        }
        return value;
    }

    /// <summary>
    /// Registers a service's DbContext on the shared <c>liverflow</c> database, confined to the
    /// service's own schema (tables and the EF migrations history), plus a readiness check.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDatabase<TContext>(this IHostApplicationBuilder builder, string schema)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(schema);

        var connectionString = builder.Configuration.GetLiverFlowConnectionString();
        var dataSource = new NpgsqlDataSourceBuilder(connectionString)
        {
            Name = $"liverflow-{schema}",
        }.Build();
        builder.Services.AddSingleton(dataSource);

        builder.Services.AddDbContext<TContext>(o => o
            .UseNpgsql(dataSource, npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history", schema))
            .UseSnakeCaseNamingConvention());

        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            "postgresql",
            sp => new PostgresHealthCheck(sp.GetRequiredService<NpgsqlDataSource>()),
            HealthStatus.Unhealthy,
            [ServiceDefaultsExtensions.ReadyTag]));
        return builder;
    }
}

internal sealed class PostgresHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (NpgsqlException ex)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL is not reachable.", ex);
        }
    }
}
