using LiverFlow.Dicom.IO;
using static LiverFlow.Dicom.Tests.IO.EncodingBuilder;

namespace LiverFlow.Dicom.Tests.IO;

public class DatasetReaderTests
{
    [Fact]
    public void Implicit_vr_takes_the_vr_from_the_dictionary()
    {
        var bytes = new EncodingBuilder()
            .Implicit(0x0010, 0x0010, Ascii("Doe^Jane"))
            .Implicit(0x0028, 0x0010, [0x00, 0x01])
            .ToArray();

        var dataset = DicomDatasetReader.Read(bytes, DicomTransferSyntax.ImplicitVRLittleEndian);

        Assert.Equal(DicomVR.PN, dataset.GetItem(DicomTag.PatientName)!.ValueRepresentation);
        Assert.Equal((ushort)256, dataset.GetSingleValue<ushort>(DicomTag.Rows));
    }

    [Fact]
    public void Explicit_big_endian_numbers_are_swapped_to_little_endian()
    {
        var bytes = new EncodingBuilder(bigEndian: true)
            .Explicit(0x0028, 0x0010, "US", [0x01, 0x00])
            .Explicit(0x0028, 0x1052, "DS", Ascii("-1024 "))
            .Explicit(0x7FE0, 0x0010, "OW", [0x12, 0x34, 0xAB, 0xCD])
            .ToArray();

        var dataset = DicomDatasetReader.Read(bytes, DicomTransferSyntax.ExplicitVRBigEndian);

        Assert.Equal((ushort)256, dataset.GetSingleValue<ushort>(DicomTag.Rows));
        Assert.Equal(-1024.0, dataset.GetSingleValue<double>(DicomTag.RescaleIntercept));
        Assert.Equal(new byte[] { 0x34, 0x12, 0xCD, 0xAB }, dataset.GetElement(DicomTag.PixelData)!.Buffer.ToArray());
    }

    [Fact]
    public void Undefined_and_defined_length_sequences_and_items_nest()
    {
        var inner = new EncodingBuilder().Explicit(0x0008, 0x0100, "SH", Ascii("T-62000 ")).ToArray();
        var bytes = new EncodingBuilder()
            .Explicit(0x0008, 0x2218, "SQ", [], 0xFFFFFFFF)
            .Item().Raw(inner).ItemEnd()
            .Item((uint)inner.Length).Raw(inner)
            .SequenceEnd()
            .Explicit(0x0008, 0x1140, "SQ", [], (uint)(8 + inner.Length))
            .Item((uint)inner.Length).Raw(inner)
            .Explicit(0x0010, 0x0010, "PN", Ascii("After^Sequences "))
            .ToArray();

        var dataset = DicomDatasetReader.Read(bytes, DicomTransferSyntax.ExplicitVRLittleEndian);

        var anatomic = dataset.GetSequence(DicomTag.AnatomicRegionSequence);
        Assert.Equal(2, anatomic.Items.Count);
        Assert.All(anatomic.Items, i => Assert.Equal("T-62000", i.GetString(DicomTag.CodeValue)));
        Assert.Single(dataset.GetSequence(DicomTag.ReferencedImageSequence).Items);
        Assert.Equal("After^Sequences", dataset.GetString(DicomTag.PatientName));
    }

    [Fact]
    public void Undefined_length_un_is_read_as_an_implicit_little_endian_sequence()
    {
        var item = new EncodingBuilder().Implicit(0x0008, 0x0100, Ascii("ABC ")).ToArray();
        var bytes = new EncodingBuilder()
            .Explicit(0x0009, 0x0010, "LO", Ascii("ACME 1.0"))
            .Explicit(0x0009, 0x1001, "UN", [], 0xFFFFFFFF)
            .Item().Raw(item).ItemEnd()
            .SequenceEnd()
            .ToArray();

        var dataset = DicomDatasetReader.Read(bytes, DicomTransferSyntax.ExplicitVRLittleEndian);

        var sequence = dataset.GetSequence(new DicomTag(0x0009, 0x1001));
        Assert.Equal("ABC", sequence.Items[0].GetString(DicomTag.CodeValue));
        Assert.Equal("ACME 1.0", dataset.GetString(new DicomTag(0x0009, 0x0010)));
    }

    [Fact]
    public void Private_elements_are_kept_and_written_back()
    {
        var bytes = new EncodingBuilder()
            .Implicit(0x0029, 0x0010, Ascii("SIEMENS CSA HEADER"))
            .Implicit(0x0029, 0x1010, [1, 2, 3, 4])
            .ToArray();

        var dataset = DicomDatasetReader.Read(bytes, DicomTransferSyntax.ImplicitVRLittleEndian);
        var reread = DicomDatasetReader.Read(DicomDatasetWriter.Encode(dataset, DicomTransferSyntax.ExplicitVRLittleEndian), DicomTransferSyntax.ExplicitVRLittleEndian);

        Assert.Equal(DicomVR.LO, reread.GetItem(new DicomTag(0x0029, 0x0010))!.ValueRepresentation);
        Assert.Equal(DicomVR.UN, reread.GetItem(new DicomTag(0x0029, 0x1010))!.ValueRepresentation);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, reread.GetElement(new DicomTag(0x0029, 0x1010))!.Buffer.ToArray());
    }

    [Fact]
    public void Encapsulated_pixel_data_keeps_offset_table_and_fragments()
    {
        var bytes = new EncodingBuilder()
            .Explicit(0x7FE0, 0x0010, "OB", [], 0xFFFFFFFF)
            .Item(8).U32(0).U32(14)
            .Item(6).Raw(1, 2, 3, 4, 5, 6)
            .Item(4).Raw(7, 8, 9, 10)
            .SequenceEnd()
            .ToArray();
        var syntax = DicomTransferSyntax.JPEG2000Lossless;

        var dataset = DicomDatasetReader.Read(bytes, syntax);
        var rewritten = DicomDatasetWriter.Encode(dataset, syntax);

        var fragments = Assert.IsType<DicomFragmentSequence>(dataset.GetItem(DicomTag.PixelData));
        Assert.Equal([0u, 14u], fragments.OffsetTable);
        Assert.Equal(2, fragments.Fragments.Count);
        Assert.Equal(bytes, rewritten);
    }

    [Theory]
    [InlineData("UI", "1.2.3", new byte[] { (byte)'1', (byte)'.', (byte)'2', (byte)'.', (byte)'3', 0x00 })]
    [InlineData("LO", "abc", new byte[] { (byte)'a', (byte)'b', (byte)'c', 0x20 })]
    [InlineData("CS", "A", new byte[] { (byte)'A', 0x20 })]
    [InlineData("UT", "xyz", new byte[] { (byte)'x', (byte)'y', (byte)'z', 0x20 })]
    public void Odd_length_text_is_padded_per_vr(string vr, string text, byte[] expectedValue)
    {
        var tag = vr switch { "UI" => DicomTag.SOPInstanceUID, "LO" => DicomTag.PatientID, "CS" => DicomTag.Modality, _ => DicomTag.TextValue };
        var dataset = new DicomDataset().Add(tag, DicomVR.Parse(vr), text);

        var bytes = DicomDatasetWriter.Encode(dataset, DicomTransferSyntax.ExplicitVRLittleEndian);

        var headerLength = DicomVR.Parse(vr).HasLongExplicitLength ? 12 : 8;
        Assert.Equal(expectedValue, bytes[headerLength..]);
        Assert.Equal(text, DicomDatasetReader.Read(bytes, DicomTransferSyntax.ExplicitVRLittleEndian).GetString(tag));
    }

    [Fact]
    public void Odd_length_binary_is_padded_with_nul()
    {
        var dataset = new DicomDataset().Add(DicomTag.EncapsulatedDocument, DicomVR.OB, new byte[] { 1, 2, 3 });

        var bytes = DicomDatasetWriter.Encode(dataset, DicomTransferSyntax.ExplicitVRLittleEndian);

        Assert.Equal(new byte[] { 1, 2, 3, 0 }, bytes[12..]);
        Assert.Equal(4u, BitConverter.ToUInt32(bytes, 8));
    }

    [Theory]
    [InlineData("OB")]
    [InlineData("OD")]
    [InlineData("OF")]
    [InlineData("OL")]
    [InlineData("OV")]
    [InlineData("OW")]
    [InlineData("SV")]
    [InlineData("UV")]
    [InlineData("UC")]
    [InlineData("UR")]
    [InlineData("UT")]
    [InlineData("UN")]
    public void Long_vrs_use_reserved_bytes_and_a_32_bit_length(string vr)
    {
        var value = new byte[70_000];
        value.AsSpan().Fill(vr is "UC" or "UR" or "UT" ? (byte)'a' : (byte)1);
        var dataset = new DicomDataset().Add(new DicomElement(new DicomTag(0x0011, 0x1001), DicomVR.Parse(vr), value));

        var bytes = DicomDatasetWriter.Encode(dataset, DicomTransferSyntax.ExplicitVRLittleEndian);
        var read = DicomDatasetReader.Read(bytes, DicomTransferSyntax.ExplicitVRLittleEndian);

        Assert.Equal(70_000u, BitConverter.ToUInt32(bytes, 8));
        Assert.Equal(value, read.GetElement(new DicomTag(0x0011, 0x1001))!.Buffer.ToArray());
        Assert.Equal(vr, read.GetItem(new DicomTag(0x0011, 0x1001))!.ValueRepresentation.Code);
    }

    [Fact]
    public void A_short_vr_value_over_64_kib_is_written_as_un()
    {
        var dataset = new DicomDataset().Add(DicomTag.SliceLocation, DicomVR.DS, string.Join('\\', Enumerable.Repeat("1.5", 20_000)));

        var bytes = DicomDatasetWriter.Encode(dataset, DicomTransferSyntax.ExplicitVRLittleEndian);

        Assert.Equal("UN"u8.ToArray(), bytes[4..6]);
        // Read back, the dictionary restores DS for the known tag.
        Assert.Equal(20_000, DicomDatasetReader.Read(bytes, DicomTransferSyntax.ExplicitVRLittleEndian).GetValues<double>(DicomTag.SliceLocation).Length);
    }

    [Fact]
    public void Deflated_explicit_little_endian_round_trips()
    {
        var dataset = new DicomDataset().Add(DicomTag.PatientName, "Deflated^Data").Add(DicomTag.Rows, (ushort)512);

        var bytes = DicomDatasetWriter.Encode(dataset, DicomTransferSyntax.DeflatedExplicitVRLittleEndian);
        var read = DicomDatasetReader.Read(bytes, DicomTransferSyntax.DeflatedExplicitVRLittleEndian);

        Assert.Equal("Deflated^Data", read.GetString(DicomTag.PatientName));
        Assert.Equal((ushort)512, read.GetSingleValue<ushort>(DicomTag.Rows));
    }

    [Fact]
    public void A_length_beyond_the_data_is_a_parse_error_with_offset_and_tag()
    {
        var bytes = new EncodingBuilder()
            .Explicit(0x0008, 0x0060, "CS", Ascii("MR"))
            .Explicit(0x0010, 0x0010, "PN", Ascii("Doe"), length: 200)
            .ToArray();

        var ex = Assert.Throws<DicomParseException>(() => DicomDatasetReader.Read(bytes, DicomTransferSyntax.ExplicitVRLittleEndian));

        Assert.Equal(10, ex.Offset);
        Assert.Equal(DicomTag.PatientName, ex.Tag);
        Assert.Contains("Value length 200 exceeds", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_refused()
    {
        var builder = new EncodingBuilder();
        for (var i = 0; i < 10; i++)
        {
            builder.Explicit(0x0040, 0xA730, "SQ", [], 0xFFFFFFFF).Item();
        }

        var ex = Assert.Throws<DicomParseException>(() => DicomDatasetReader.Read(builder.ToArray(), DicomTransferSyntax.ExplicitVRLittleEndian, new DicomReadOptions { MaxNestingDepth = 5 }));

        Assert.Contains("deeper than the limit of 5", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unclosed_undefined_length_sequence_is_a_parse_error()
    {
        var bytes = new EncodingBuilder()
            .Explicit(0x0008, 0x1140, "SQ", [], 0xFFFFFFFF)
            .Item().Explicit(0x0008, 0x1150, "UI", Ascii("1.2\0"))
            .ToArray();

        var ex = Assert.Throws<DicomParseException>(() => DicomDatasetReader.Read(bytes, DicomTransferSyntax.ExplicitVRLittleEndian));

        Assert.Contains("not closed", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("debian-python3-pydicom/test_files/ExplVR_LitEndNoMeta.dcm", "1.2.840.10008.1.2.1")]
    [InlineData("debian-python3-pydicom/test_files/ExplVR_BigEndNoMeta.dcm", "1.2.840.10008.1.2.2")]
    public void A_bare_data_set_is_read_with_its_syntax_inferred(string relative, string syntax)
    {
        var file = DicomFile.Open(TestData.File(relative));

        Assert.Equal(DicomFileFormat.DatasetWithoutFileMeta, file.Format);
        Assert.Equal(syntax, file.FileMetaInfo.TransferSyntax.UID.Value);
        Assert.Equal(24, file.Dataset.Count);
        Assert.True(DicomUID.IsValid(file.Dataset.GetString(DicomTag.SOPInstanceUID)));
    }

    [Fact]
    public void A_bare_data_set_is_rejected_when_file_meta_is_required()
    {
        var ex = Assert.Throws<DicomFileException>(() => DicomFile.Open(
            TestData.File("debian-python3-pydicom/test_files/ExplVR_LitEndNoMeta.dcm"), new DicomReadOptions { AllowMissingFileMeta = false }));

        Assert.Contains("no 'DICM' prefix", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void File_meta_without_preamble_is_accepted()
    {
        var original = DicomFile.Open(TestData.File("debian-python3-pydicom/test_files/MR_small.dcm"));
        using var memory = new MemoryStream();
        original.Save(memory);

        var file = DicomFile.Open(memory.ToArray().AsMemory(132));

        Assert.Equal(DicomFileFormat.Part10WithoutPreamble, file.Format);
        Assert.Equal(original.Dataset.GetString(DicomTag.SOPInstanceUID), file.Dataset.GetString(DicomTag.SOPInstanceUID));
    }
}
