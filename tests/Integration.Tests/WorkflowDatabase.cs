using System.Diagnostics;
using LiverFlow.Workflow;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace LiverFlow.Integration.Tests;

/// <summary>A throw-away database per host under test, created empty (the host migrates it) and dropped afterwards.</summary>
public sealed class WorkflowDatabase
{
    private readonly TestEnvironment _environment;

    private WorkflowDatabase(TestEnvironment environment, string name)
    {
        _environment = environment;
        Name = name;
        ConnectionString = environment.ConnectionStringFor(name);
    }

    public string Name { get; }

    public string ConnectionString { get; }

    /// <summary>For the host under test: enough connections for its prefetch, not the server's whole budget.</summary>
    public string HostConnectionString => _environment.ConnectionStringFor(Name, maxPoolSize: 20);

    public static async Task<WorkflowDatabase> CreateAsync(TestEnvironment environment, string name)
    {
        ArgumentNullException.ThrowIfNull(environment);
        await using var admin = new NpgsqlConnection(environment.ConnectionStringFor("postgres"));
        await admin.OpenAsync();
        await using (var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin))
        {
            await drop.ExecuteNonQueryAsync();
        }
        await using (var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin))
        {
            await create.ExecuteNonQueryAsync();
        }
        return new WorkflowDatabase(environment, name);
    }

    public async Task DropAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(_environment.ConnectionStringFor("postgres"));
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    public WorkflowDbContext NewContext()
        => new(new DbContextOptionsBuilder<WorkflowDbContext>()
            .UseNpgsql(ConnectionString)
            .UseSnakeCaseNamingConvention()
            .Options);

    public async Task<StudyState?> FindAsync(Guid correlationId)
    {
        await using var db = NewContext();
        return await db.Studies.AsNoTracking().SingleOrDefaultAsync(s => s.CorrelationId == correlationId);
    }

    public async Task<StudyState> WaitForStateAsync(Guid correlationId, string state, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(20);
        var watch = Stopwatch.StartNew();
        StudyState? last = null;
        while (watch.Elapsed < limit)
        {
            last = await FindAsync(correlationId);
            if (last?.CurrentState == state)
            {
                return last;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException(
            $"Study {correlationId} did not reach {state} within {limit}; it is {(last is null ? "absent" : $"{last.CurrentState} ({last.Reason})")}.");
    }

    public async Task<IReadOnlyDictionary<Guid, StudyState>> WaitForStatesAsync(IReadOnlyDictionary<Guid, string> expected, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        var ids = expected.Keys.ToList();
        Dictionary<Guid, StudyState> rows = [];
        while (watch.Elapsed < timeout)
        {
            await using var db = NewContext();
            rows = await db.Studies.AsNoTracking().Where(s => ids.Contains(s.CorrelationId)).ToDictionaryAsync(s => s.CorrelationId);
            if (expected.All(e => rows.TryGetValue(e.Key, out var row) && row.CurrentState == e.Value))
            {
                return rows;
            }
            await Task.Delay(100);
        }
        var wrong = expected.Where(e => !rows.TryGetValue(e.Key, out var row) || row.CurrentState != e.Value)
            .Select(e => $"{e.Key}: expected {e.Value}, is {(rows.TryGetValue(e.Key, out var r) ? r.CurrentState : "absent")}")
            .Take(10);
        throw new TimeoutException($"{expected.Count(e => !rows.TryGetValue(e.Key, out var row) || row.CurrentState != e.Value)} studies not in their expected state after {timeout}: {string.Join("; ", wrong)}");
    }

    public async Task<long> ScalarAsync(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = p });
        }
        var result = await command.ExecuteScalarAsync();
        return Convert.ToInt64(result, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task ExecuteAsync(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = p });
        }
        await command.ExecuteNonQueryAsync();
    }
}
