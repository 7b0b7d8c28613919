using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace LiverFlow.Messaging;

/// <summary>
/// Which database failures are worth retrying the whole message for: they come from two units of work
/// meeting, not from the message, and a second attempt sees the winner's committed state.
/// </summary>
public static class TransientDatabaseErrors
{
    public const string SerializationFailure = "40001";
    public const string DeadlockDetected = "40P01";
    public const string UniqueViolation = "23505";
    public const string LockNotAvailable = "55P03";

    public static bool IsTransient(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is DbUpdateConcurrencyException)
            {
                return true;
            }
            if (e is PostgresException pg && IsTransientSqlState(pg.SqlState))
            {
                return true;
            }
        }
        return false;
    }

    public static bool IsTransientSqlState(string? sqlState) => sqlState is SerializationFailure or DeadlockDetected or UniqueViolation or LockNotAvailable;

    public static bool IsUniqueViolation(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is PostgresException { SqlState: UniqueViolation })
            {
                return true;
            }
        }
        return false;
    }
}
