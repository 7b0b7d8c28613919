namespace LiverFlow.Dicom.Tests;

public class DatasetTests
{
    [Fact]
    public void Items_enumerate_in_tag_order_whatever_the_insertion_order()
    {
        var dataset = new DicomDataset()
            .Add(DicomTag.PixelData, DicomVR.OW, new byte[2])
            .Add(DicomTag.PatientName, "Doe^John")
            .Add(DicomTag.SOPClassUID, DicomUID.MRImageStorage.Value);

        Assert.Equal([DicomTag.SOPClassUID, DicomTag.PatientName, DicomTag.PixelData], dataset.Select(i => i.Tag));
    }

    [Theory]
    [InlineData("12", 12)]
    [InlineData(" -7 ", -7)]
    [InlineData("+3", 3)]
    public void Integer_strings_convert_to_int(string text, int expected)
    {
        Assert.Equal(expected, new DicomDataset().Add(DicomTag.InstanceNumber, text).GetSingleValue<int>(DicomTag.InstanceNumber));
    }

    [Fact]
    public void Decimal_strings_give_every_value()
    {
        var dataset = new DicomDataset().Add(DicomTag.ImagePositionPatient, "-125.5", "10", "1e2");

        Assert.Equal([-125.5, 10.0, 100.0], dataset.GetValues<double>(DicomTag.ImagePositionPatient));
    }

    [Fact]
    public void A_missing_tag_names_the_attribute()
    {
        var ex = Assert.Throws<DicomDataException>(() => new DicomDataset().GetSingleValue<ushort>(DicomTag.Rows));

        Assert.Contains("(0028,0010) Rows is not present", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryGet_reports_absent_and_unconvertible_values_as_false()
    {
        var dataset = new DicomDataset().Add(DicomTag.PatientID, "abc");

        Assert.False(dataset.TryGetSingleValue<int>(DicomTag.Rows, out _));
        Assert.False(dataset.TryGetSingleValue<int>(DicomTag.PatientID, out _));
        Assert.True(dataset.TryGetSingleValue<string>(DicomTag.PatientID, out var id));
        Assert.Equal("abc", id);
    }

    [Fact]
    public void Add_refuses_a_duplicate_and_AddOrUpdate_replaces()
    {
        var dataset = new DicomDataset().Add(DicomTag.Modality, "MR");

        Assert.Throws<DicomDataException>(() => dataset.Add(DicomTag.Modality, "CT"));
        dataset.AddOrUpdate(DicomTag.Modality, "CT");
        Assert.Equal("CT", dataset.GetString(DicomTag.Modality));
        Assert.True(dataset.Remove(DicomTag.Modality));
        Assert.False(dataset.Contains(DicomTag.Modality));
    }

    [Fact]
    public void Ambiguous_dictionary_vrs_require_an_explicit_vr()
    {
        var ex = Assert.Throws<DicomDataException>(() => new DicomDataset().Add(DicomTag.PixelData, new byte[2]));

        Assert.Contains("pass the VR explicitly", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.1, "0.1")]
    [InlineData(-1024.0, "-1024")]
    [InlineData(1.0 / 3.0, "0.33333333333333")]
    [InlineData(123456789.123456789, "123456789.123457")]
    public void Decimal_strings_fit_sixteen_characters(double value, string expected)
    {
        var dataset = new DicomDataset().Add(DicomTag.SliceThickness, value);

        Assert.Equal(expected, dataset.GetString(DicomTag.SliceThickness));
    }

    [Fact]
    public void Tags_uids_and_dates_convert()
    {
        var dataset = new DicomDataset()
            .Add(DicomTag.FrameIncrementPointer, DicomTag.FrameTime)
            .Add(DicomTag.StudyDate, "20240131")
            .Add(DicomTag.StudyTime, "142530.5")
            .Add(DicomTag.SOPClassUID, DicomUID.EnhancedMRImageStorage.Value);

        Assert.Equal(DicomTag.FrameTime, dataset.GetSingleValue<DicomTag>(DicomTag.FrameIncrementPointer));
        Assert.Equal(new DateTime(2024, 1, 31), dataset.GetSingleValue<DateTime>(DicomTag.StudyDate));
        Assert.Equal(new TimeSpan(0, 14, 25, 30, 500), dataset.GetSingleValue<DateTime>(DicomTag.StudyTime).TimeOfDay);
        Assert.Same(DicomUID.EnhancedMRImageStorage, dataset.GetSingleValue<DicomUID>(DicomTag.SOPClassUID));
    }

    [Fact]
    public void Other_word_and_float_values_read_as_typed_arrays()
    {
        var dataset = new DicomDataset()
            .Add(DicomTag.RedPaletteColorLookupTableData, DicomVR.OW, new ushort[] { 1, 65535 })
            .Add(DicomTag.FloatPixelData, DicomVR.OF, new float[] { 1.5f, -2f });

        Assert.Equal([1, 65535], dataset.GetValues<ushort>(DicomTag.RedPaletteColorLookupTableData));
        Assert.Equal([1.5f, -2f], dataset.GetValues<float>(DicomTag.FloatPixelData));
    }

    [Theory]
    [InlineData("1.2.840.10008.1.2", true)]
    [InlineData("1.2.0840", false)]
    [InlineData("1..2", false)]
    [InlineData("1.2.a", false)]
    [InlineData("", false)]
    public void Uid_syntax_follows_ps3_5_9_1(string value, bool valid)
    {
        Assert.Equal(valid, DicomUID.IsValid(value));
    }

    [Fact]
    public void Generated_uids_are_valid_and_unique()
    {
        var a = DicomUID.Generate().Value;
        var b = DicomUID.Generate().Value;

        Assert.True(DicomUID.IsValid(a), a);
        Assert.StartsWith("2.25.", a, StringComparison.Ordinal);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Dictionary_covers_the_registry_and_repeating_groups()
    {
        var dictionary = DicomDictionary.Default;

        Assert.True(dictionary.Count > 4900);
        Assert.Equal("OverlayData", dictionary.Find(new DicomTag(0x6002, 0x3000))!.Keyword);
        Assert.Equal(DicomVR.SQ, dictionary.Find(DicomTag.ReferencedSeriesSequence)!.ValueRepresentation);
        Assert.Equal(DicomVR.LO, dictionary.GetDefaultVR(new DicomTag(0x0029, 0x0010)));
        Assert.Equal(DicomVR.UN, dictionary.GetDefaultVR(new DicomTag(0x0029, 0x1010)));
        Assert.Equal(34, DicomVR.All.Count);
    }

    [Theory]
    [InlineData("1.2.840.10008.1.2", false, false, false)]
    [InlineData("1.2.840.10008.1.2.1", true, false, false)]
    [InlineData("1.2.840.10008.1.2.2", true, true, false)]
    [InlineData("1.2.840.10008.1.2.5", true, false, true)]
    [InlineData("1.2.840.10008.1.2.4.50", true, false, true)]
    [InlineData("1.2.840.10008.1.2.4.999", true, false, true)]
    public void Transfer_syntaxes_describe_their_encoding(string uid, bool explicitVR, bool bigEndian, bool encapsulated)
    {
        var syntax = DicomTransferSyntax.Parse(uid);

        Assert.Equal((explicitVR, bigEndian, encapsulated), (syntax.IsExplicitVR, syntax.IsBigEndian, syntax.IsEncapsulated));
    }

    [Fact]
    public void A_malformed_transfer_syntax_uid_is_rejected()
    {
        Assert.Throws<DicomTransferSyntaxException>(() => DicomTransferSyntax.Parse("1.2.840.abc"));
    }
}
