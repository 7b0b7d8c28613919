using LiverFlow.Contracts;

namespace LiverFlow.Workflow.Tests;

public sealed class StudyIdentityTests
{
    // RFC 9562 Appendix A.4: UUIDv5 of "www.example.com" in the DNS namespace.
    [Fact]
    public void Name_based_uuid_matches_the_rfc_9562_test_vector()
    {
        var dns = new Guid("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
        Assert.Equal(new Guid("2ed6657d-e927-568b-95e1-2665a8aea6a2"), StudyIdentity.NameBasedUuidV5(dns, "www.example.com"));
    }

    [Fact]
    public void Same_study_and_revision_always_give_the_same_correlation_id()
    {
        const string uid = "1.2.826.0.1.3680043.8.498.12345678901234567890";
        Assert.Equal(StudyIdentity.CorrelationIdFor(uid), StudyIdentity.CorrelationIdFor(uid));
        Assert.Equal(StudyIdentity.CorrelationIdFor(uid), StudyIdentity.CorrelationIdFor(uid, StudyIdentity.FirstRevision));
    }

    [Fact]
    public void A_new_revision_or_another_study_gives_another_id_and_the_id_is_version_5()
    {
        const string uid = "1.2.826.0.1.3680043.8.498.1";
        var first = StudyIdentity.CorrelationIdFor(uid);
        Assert.NotEqual(first, StudyIdentity.CorrelationIdFor(uid, 2));
        Assert.NotEqual(first, StudyIdentity.CorrelationIdFor("1.2.826.0.1.3680043.8.498.2"));
        Assert.Equal(5, first.Version);
        Assert.DoesNotContain(uid, first.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("1.2.840.10008.1.2.1.99999999999999999999999999999999999999999999999999999999999", "at most 64")]
    [InlineData("1.2.abc", "dot-separated decimal")]
    [InlineData("1..2", "dot-separated decimal")]
    [InlineData("1.2.", "dot-separated decimal")]
    [InlineData("1.02.3", "leading zeros")]
    public void Malformed_study_instance_uids_are_rejected_with_the_rule_they_break(string uid, string rule)
    {
        var error = Assert.Throws<ArgumentException>(() => StudyIdentity.CorrelationIdFor(uid));
        Assert.Contains(rule, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Revision_below_one_is_rejected()
        => Assert.Throws<ArgumentOutOfRangeException>(() => StudyIdentity.CorrelationIdFor("1.2.3", 0));
}
