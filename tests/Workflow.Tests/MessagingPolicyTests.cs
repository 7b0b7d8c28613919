using System.Text.Json;
using LiverFlow.Contracts;
using LiverFlow.Messaging;
using LiverFlow.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace LiverFlow.Workflow.Tests;

public sealed class MessagingPolicyTests
{
    [Theory]
    [InlineData("40001", true)]  // serialization failure
    [InlineData("40P01", true)]  // deadlock
    [InlineData("23505", true)]  // two first events inserted the same saga
    [InlineData("55P03", true)]  // lock not available
    [InlineData("23503", false)] // foreign key: a bug, not a race
    [InlineData("42P01", false)] // table missing: not migrated
    [InlineData("28P01", false)] // wrong password
    public void Only_races_between_transactions_are_retried(string sqlState, bool transient)
    {
        var postgres = new PostgresException("msg", "ERROR", "ERROR", sqlState);
        Assert.Equal(transient, TransientDatabaseErrors.IsTransient(postgres));
        Assert.Equal(transient, TransientDatabaseErrors.IsTransient(new DbUpdateException("save failed", postgres)));
    }

    [Fact]
    public void Optimistic_concurrency_conflicts_are_retried_and_other_errors_are_not()
    {
        Assert.True(TransientDatabaseErrors.IsTransient(new DbUpdateConcurrencyException("row changed")));
        Assert.False(TransientDatabaseErrors.IsTransient(new InvalidOperationException("bug")));
    }

    [Fact]
    public void Every_contract_round_trips_through_the_outbox_body()
    {
        var registry = MessageTypeRegistry.ForContracts();
        var id = Guid.NewGuid();
        var at = DateTimeOffset.UtcNow;
        var reference = new StoredObjectRef("studies/x/report.dcm", new string('a', 64), 10, "application/dicom");
        IStudyMessage[] samples =
        [
            new StudyReceived(id, "MR1", 3, reference, at),
            new StudyIngested(id, [new PhaseVolume("Arterial", reference)], at),
            new StudyNeedsAttention(id, "Ingest", "why", at),
            new LesionsClassified(id, "m", "1", [new LesionClassification(1, "HCC", 0.5)], reference, at),
            new LesionsInterpreted(id, "r1", reference, at),
            new DraftReportCreated(id, "r1", reference, at),
            new ReportSignedOff(id, "reader", at),
            new ReportRejected(id, "reader", "why", at),
            new StageTimedOut(id, "Ingest", at, TimeSpan.FromMinutes(3), at),
            new StudyFlaggedForReview(id, "Ingest", "why", 2, at),
            new StudyWorkflowEnded(id, "Failed", "why", 1, at),
        ];
        Assert.Equal(samples.Length, MessageTypeRegistry.ContractTypes(typeof(IStudyMessage).Assembly).Count());
        foreach (var sample in samples)
        {
            var name = MessageTypeRegistry.NameOf(sample.GetType());
            var body = JsonSerializer.Serialize(sample, sample.GetType(), MessageTypeRegistry.BodyJson);
            var back = registry.Deserialize(name, body);
            Assert.Equal(JsonSerializer.Serialize(sample, sample.GetType(), MessageTypeRegistry.BodyJson), JsonSerializer.Serialize(back, back.GetType(), MessageTypeRegistry.BodyJson));
            Assert.Equal(1, ((IStudyMessage)back).MessageVersion);
        }
    }

    [Fact]
    public void Outbox_rows_naming_types_outside_the_contracts_are_refused()
    {
        var registry = MessageTypeRegistry.ForContracts();
        var error = Assert.Throws<UnknownMessageTypeException>(() => registry.Deserialize("System.Diagnostics.Process", "{}"));
        Assert.Contains("not a registered contract", error.Message, StringComparison.Ordinal);
    }
}

public sealed class DeliveryCountTests
{
    public static TheoryData<object?, long> Values => new()
    {
        { null, 0 },
        { 3L, 3 },
        { 4, 4 },
        { (short)5, 5 },
        { (byte)6, 6 },
        { "7", 7 },
        { "seven", 0 },
        { 2.5, 0 },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void Delivery_count_header_is_read_whatever_integer_type_carries_it(object? header, long expected)
        => Assert.Equal(expected, LiverFlow.Messaging.DeliveryLimitFilter<StudyReceived>.ParseDeliveryCount(header));
}
