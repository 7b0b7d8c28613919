using LiverFlow.Contracts;

namespace LiverFlow.Workflow.Tests;

public sealed class StoredObjectRefTests
{
    private const string Sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    [Fact]
    public void Valid_reference_keeps_its_fields()
    {
        var stored = new StoredObjectRef("studies/a/volumes/arterial.npy", Sha, 1024, "application/x-npy");
        Assert.Equal("studies/a/volumes/arterial.npy", stored.StorageKey);
        Assert.Equal(1024, stored.SizeBytes);
    }

    [Theory]
    [InlineData("", Sha, 1, "application/json", "storage key")]
    [InlineData("/etc/passwd", Sha, 1, "application/json", "relative to the file store root")]
    [InlineData("studies/../../etc", Sha, 1, "application/json", "relative to the file store root")]
    [InlineData("studies/a", "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08", 1, "application/json", "lower-case hex")]
    [InlineData("studies/a", "abc", 1, "application/json", "64 lower-case hex")]
    [InlineData("studies/a", Sha, -1, "application/json", "cannot be negative")]
    [InlineData("studies/a", Sha, 1, "json", "type/subtype")]
    public void Invalid_reference_is_rejected_naming_the_problem(string key, string sha, long size, string mediaType, string expected)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new StoredObjectRef(key, sha, size, mediaType));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
