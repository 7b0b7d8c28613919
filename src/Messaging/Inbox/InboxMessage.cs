namespace LiverFlow.Messaging.Inbox;

/// <summary>
/// Proof that <see cref="Consumer"/> has applied message <see cref="MessageId"/>: inserted in the
/// consumer's own transaction, so a redelivered message finds its row and is acknowledged without
/// being applied twice.
/// </summary>
public sealed class InboxMessage
{
    public Guid MessageId { get; set; }

    public string Consumer { get; set; } = "";

    public string MessageType { get; set; } = "";

    public DateTimeOffset ReceivedAt { get; set; }
}
