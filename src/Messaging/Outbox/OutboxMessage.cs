namespace LiverFlow.Messaging.Outbox;

/// <summary>
/// An event waiting to be published, written in the same transaction as the change that caused it.
/// Its <see cref="Id"/> becomes the published MessageId, so a row published twice (relay crashed
/// after publish, before marking it) is recognised by every consumer's inbox.
/// </summary>
public sealed class OutboxMessage
{
    public Guid Id { get; set; }

    /// <summary>Contract name as registered in <see cref="MessageTypeRegistry"/> (e.g. <c>StudyFlaggedForReview</c>).</summary>
    public string MessageType { get; set; } = "";

    /// <summary>The message as JSON.</summary>
    public string Body { get; set; } = "";

    public Guid? CorrelationId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Null until the broker has accepted the message.</summary>
    public DateTimeOffset? DispatchedAt { get; set; }

    public int Attempts { get; set; }

    public string? LastError { get; set; }
}
