using LiverFlow.Dicom.IO;
using LiverFlow.Dicom.Network.Server;
using LiverFlow.Dicom.Network.Tests.Infrastructure;

namespace LiverFlow.Dicom.Network.Tests;

public sealed class FileMetaInformationWriterTests
{
    [Theory]
    [InlineData("1.2.840.10008.1.2", 16)]
    [InlineData("1.2.840.10008.1.2.1", 16)]
    [InlineData("1.2.840.10008.1.2", 2100)]
    public void Meta_header_plus_received_bytes_is_a_part_10_file_the_core_reads(string transferSyntax, int size)
    {
        using var work = TestEnvironment.NewTempFolder("meta");
        var dataset = MrFileFactory.CreateDataset(1, size, size);
        var uid = dataset.GetString(DicomTag.SOPInstanceUID);
        var path = Path.Combine(work.Path, "f.dcm");
        var meta = FileMetaInformationWriter.Build(DicomNetworkUids.MRImageStorage, uid, transferSyntax, "MODALITY");
        File.WriteAllBytes(path, [.. meta, .. DicomDatasetWriter.Encode(dataset, DicomTransferSyntax.Parse(transferSyntax))]);

        var file = DicomFile.Open(path);

        Assert.Equal(transferSyntax, file.FileMetaInfo.TransferSyntax.UID.Value);
        Assert.Equal(uid, file.FileMetaInfo.MediaStorageSOPInstanceUID);
        Assert.Equal("MODALITY", file.FileMetaInfo.SourceApplicationEntityTitle);
        Assert.Equal(uid, file.Dataset.GetString(DicomTag.SOPInstanceUID));
        Assert.Empty(DatasetComparer.Differences(dataset, file.Dataset));
    }
}
