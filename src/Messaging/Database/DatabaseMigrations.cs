using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LiverFlow.Messaging.Database;

/// <summary>
/// The explicit migrate step every service shares: a <c>migrate</c> verb on the host
/// (<c>dotnet LiverFlow.X.dll migrate</c>, run by the owner role in deployment) and an optional hosted
/// step at start-up (<c>Database:MigrateOnStartup</c>, on by default for local runs).
/// </summary>
public static partial class DatabaseMigrations
{
    public const string MigrateVerb = "migrate";
    public const string MigrateOnStartupKey = "Database:MigrateOnStartup";

    public static bool IsMigrateCommand(string[] args) => args is [MigrateVerb, ..];

    /// <summary>Applies pending migrations of <typeparamref name="TContext"/>; returns how many were applied.</summary>
    public static async Task<int> MigrateAsync<TContext>(IServiceProvider services, CancellationToken cancellationToken = default)
        where TContext : DbContext
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseMigrations));
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        // EF Core takes a database lock while migrating, so hosts starting together do not race.
        await db.Database.MigrateAsync(cancellationToken);
        LogMigrated(logger, typeof(TContext).Name, pending.Count, pending.Count == 0 ? "(none)" : string.Join(", ", pending));
        return pending.Count;
    }

    /// <summary>Registers the start-up migrate step unless <c>Database:MigrateOnStartup</c> is false.</summary>
    public static IServiceCollection AddMigrateOnStartup<TContext>(this IServiceCollection services, IConfiguration configuration)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration.GetValue(MigrateOnStartupKey, true))
        {
            // Inserted first so the schema exists before the bus, the relay or any job touches it.
            services.Insert(0, ServiceDescriptor.Singleton<IHostedService, MigrateOnStartup<TContext>>());
        }
        return services;
    }

    [LoggerMessage(EventId = 2400, Level = LogLevel.Information, Message = "{DbContext}: applied {Count} migration(s): {Migrations}")]
    private static partial void LogMigrated(ILogger logger, string dbContext, int count, string migrations);
}

internal sealed class MigrateOnStartup<TContext>(IServiceProvider services) : IHostedService
    where TContext : DbContext
{
    public Task StartAsync(CancellationToken cancellationToken) => DatabaseMigrations.MigrateAsync<TContext>(services, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
