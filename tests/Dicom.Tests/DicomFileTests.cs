using LiverFlow.Dicom.IO;

namespace LiverFlow.Dicom.Tests;

public class DicomFileTests
{
    [Fact]
    public void Open_reads_explicit_little_endian_mr_with_typed_values()
    {
        var file = DicomFile.Open(TestData.File("debian-python3-pydicom/test_files/MR_small.dcm"));

        Assert.Equal(DicomTransferSyntax.ExplicitVRLittleEndian, file.FileMetaInfo.TransferSyntax);
        Assert.Equal(DicomUID.MRImageStorage.Value, file.Dataset.GetString(DicomTag.SOPClassUID));
        Assert.Equal((ushort)64, file.Dataset.GetSingleValue<ushort>(DicomTag.Rows));
        Assert.Equal("CompressedSamples^MR1", file.Dataset.GetString(DicomTag.PatientName));
        Assert.Equal(DicomFileFormat.Part10, file.Format);
    }

    [Fact]
    public void Save_then_open_round_trips_every_element()
    {
        var original = DicomFile.Open(TestData.File("debian-python3-pydicom/test_files/MR_small.dcm"));
        using var memory = new MemoryStream();
        original.Save(memory);
        var reread = DicomFile.Open(memory.ToArray());

        Assert.Equal(original.Dataset.Count, reread.Dataset.Count);
        foreach (var item in original.Dataset)
        {
            var copy = reread.Dataset.GetItem(item.Tag);
            Assert.NotNull(copy);
            if (item is DicomElement e)
            {
                Assert.Equal(e.Buffer.ToArray(), ((DicomElement)copy).Buffer.ToArray());
            }
        }
    }

    [Fact]
    public void Command_set_encodes_group_length_and_reads_back()
    {
        var command = new DicomDataset()
            .Add(DicomTag.AffectedSOPClassUID, DicomUID.Verification.Value)
            .Add(DicomTag.CommandField, (ushort)0x0030)
            .Add(DicomTag.MessageID, (ushort)7)
            .Add(DicomTag.CommandDataSetType, (ushort)0x0101);
        var bytes = DicomDatasetWriter.EncodeCommand(command);
        var read = DicomDatasetReader.ReadCommand(bytes);

        Assert.Equal((uint)(bytes.Length - 12), read.GetSingleValue<uint>(DicomTag.CommandGroupLength));
        Assert.Equal(DicomUID.Verification.Value, read.GetString(DicomTag.AffectedSOPClassUID));
        Assert.Equal((ushort)7, read.GetSingleValue<ushort>(DicomTag.MessageID));
    }

    [Fact]
    public void Open_reads_from_a_stream_that_cannot_seek()
    {
        var bytes = File.ReadAllBytes(TestData.File("debian-python3-pydicom/test_files/CT_small.dcm"));
        using var pipe = new NonSeekableStream(bytes);

        var file = DicomFile.Open(pipe);

        Assert.Equal("CompressedSamples^CT1", file.Dataset.GetString(DicomTag.PatientName));
    }

    [Fact]
    public void A_missing_file_is_a_dicom_file_exception_naming_the_path()
    {
        var path = Path.Combine(Path.GetTempPath(), "liverflow-does-not-exist.dcm");

        var ex = Assert.Throws<DicomFileException>(() => DicomFile.Open(path));

        Assert.Equal(path, ex.FilePath);
        Assert.StartsWith(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_new_file_gets_file_meta_from_its_data_set()
    {
        var sopInstance = DicomUID.Generate().Value;
        var dataset = new DicomDataset()
            .Add(DicomTag.SOPClassUID, DicomUID.SegmentationStorage.Value)
            .Add(DicomTag.SOPInstanceUID, sopInstance);
        using var memory = new MemoryStream();

        new DicomFile(dataset).Save(memory);
        var meta = DicomFile.Open(memory.ToArray()).FileMetaInfo;

        Assert.Equal(DicomUID.SegmentationStorage.Value, meta.MediaStorageSOPClassUID);
        Assert.Equal(sopInstance, meta.MediaStorageSOPInstanceUID);
        Assert.Equal(DicomTransferSyntax.ExplicitVRLittleEndian, meta.TransferSyntax);
        Assert.Equal(DicomFileMetaInformation.LiverFlowImplementationClassUid, meta.ImplementationClassUID);
        Assert.Equal(new byte[] { 0, 1 }, meta.GetElement(DicomTag.FileMetaInformationVersion)!.Buffer.ToArray());
        Assert.Equal((uint)(memory.Length - 132 - 12 - DicomDatasetWriter.MeasureLength(dataset, DicomTransferSyntax.ExplicitVRLittleEndian)), meta.GetSingleValue<uint>(DicomTag.FileMetaInformationGroupLength));
    }

    [Fact]
    public void A_failed_save_leaves_no_file_behind()
    {
        var folder = Directory.CreateTempSubdirectory("liverflow-save-").FullName;
        try
        {
            var file = DicomFile.Open(TestData.File("debian-python3-pydicom/test_files/JPEG2000.dcm")).WithTransferSyntax(DicomTransferSyntax.ExplicitVRLittleEndian);
            var path = Path.Combine(folder, "out.dcm");

            Assert.Throws<DicomTransferSyntaxException>(() => file.Save(path));

            Assert.Empty(Directory.GetFiles(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }
    }
}
