using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json;
using LiverFlow.Contracts;

namespace LiverFlow.Messaging.Outbox;

/// <summary>
/// The contract types an outbox row may name. The relay resolves a row's type only through this
/// list, never through <c>Type.GetType</c> on a string from the database, so a tampered row cannot
/// make the relay instantiate an arbitrary type.
/// </summary>
public sealed class MessageTypeRegistry
{
    /// <summary>How outbox bodies are written and read (the same shape MassTransit puts on the wire).</summary>
    public static readonly JsonSerializerOptions BodyJson = new(JsonSerializerDefaults.Web);

    private readonly FrozenDictionary<string, Type> _byName;

    public MessageTypeRegistry(IEnumerable<Type> messageTypes)
    {
        ArgumentNullException.ThrowIfNull(messageTypes);
        var map = new Dictionary<string, Type>(StringComparer.Ordinal);
        foreach (var type in messageTypes)
        {
            var name = NameOf(type);
            if (map.TryGetValue(name, out var existing) && existing != type)
            {
                throw new ArgumentException($"Two message types share the outbox name '{name}': {existing.FullName} and {type.FullName}.", nameof(messageTypes));
            }
            map[name] = type;
        }
        _byName = map.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Every public concrete <see cref="IStudyMessage"/> in LiverFlow.Contracts.</summary>
    public static MessageTypeRegistry ForContracts() => new(ContractTypes(typeof(IStudyMessage).Assembly));

    public static IEnumerable<Type> ContractTypes(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return assembly.GetExportedTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IStudyMessage).IsAssignableFrom(t));
    }

    /// <summary>The outbox name of a contract: its full CLR name (stable across assembly versions).</summary>
    public static string NameOf(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type.FullName ?? throw new ArgumentException($"Type {type} has no full name.", nameof(type));
    }

    public bool IsRegistered(Type type) => _byName.TryGetValue(NameOf(type), out var t) && t == type;

    public Type Resolve(string messageType)
    {
        if (_byName.TryGetValue(messageType, out var type))
        {
            return type;
        }
        throw new UnknownMessageTypeException(
            $"Outbox row names message type '{messageType}', which is not a registered contract; " +
            "register its assembly with the relay or remove the row.");
    }

    public object Deserialize(string messageType, string body)
    {
        var type = Resolve(messageType);
        return JsonSerializer.Deserialize(body, type, BodyJson)
            ?? throw new InvalidOperationException($"Outbox body of '{messageType}' is JSON null.");
    }
}

public sealed class UnknownMessageTypeException(string message) : Exception(message);
