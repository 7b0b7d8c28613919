using System.Text.Json;
using LiverFlow.Dicom.Text;

namespace LiverFlow.Dicom.Tests.Text;

public class CharacterSetTests
{
    private static readonly string[] DecodedFiles =
    [
        "fo-dicom/charset/chrArab.dcm", "fo-dicom/charset/chrFren.dcm", "fo-dicom/charset/chrGerm.dcm",
        "fo-dicom/charset/chrGreek.dcm", "fo-dicom/charset/chrHbrw.dcm", "fo-dicom/charset/chrRuss.dcm",
        "fo-dicom/charset/chrX1.dcm", "fo-dicom/charset/chrX2.dcm",
    ];

    private static readonly string[] EscapeSequenceFiles =
    [
        "fo-dicom/charset/chrH31.dcm", "fo-dicom/charset/chrH32.dcm", "fo-dicom/charset/chrI2.dcm",
        "fo-dicom/charset/chrKoreanMulti.dcm", "fo-dicom/charset/chrJapMulti.dcm", "fo-dicom/charset/chrJapMultiExplicitIR6.dcm",
    ];

    public static TheoryData<string> Decoded() => new(DecodedFiles);

    public static TheoryData<string> EscapeSequences() => new(EscapeSequenceFiles);

    private static readonly Lazy<Dictionary<string, string>> PydicomNames = new(() =>
    {
        ExternalTools.RequirePydicom();
        var script = Path.Combine(AppContext.BaseDirectory, "Text", "pydicom_names.py");
        var (code, stdout, stderr) = ExternalTools.Run(ExternalTools.DebianPython, [script], JsonSerializer.Serialize(DecodedFiles.Concat(EscapeSequenceFiles).Select(TestData.File).ToList()));
        Assert.True(code == 0, $"pydicom_names.py failed: {stderr}");
        return JsonSerializer.Deserialize<Dictionary<string, string>>(stdout)!;
    });

    [Theory]
    [MemberData(nameof(Decoded))]
    public void Patient_name_decodes_as_pydicom_decodes_it(string relative)
    {
        var path = TestData.File(relative);
        // Compared in normalised form: pydicom drops trailing empty component groups ("…=") as PS3.5 allows.
        var name = DicomFile.Open(path).Dataset.GetSingleValue<DicomPersonName>(DicomTag.PatientName).ToString();

        Assert.Equal(PydicomNames.Value[path], name);
        Assert.Contains(name, c => c > 127);
    }

    [Theory]
    [MemberData(nameof(EscapeSequences))]
    public void Iso2022_escape_sequences_decode_as_pydicom_decodes_them(string relative)
    {
        var path = TestData.File(relative);
        var dataset = DicomFile.Open(path).Dataset;

        Assert.True(dataset.CharacterSet.UsesCodeExtensions);
        Assert.Equal(PydicomNames.Value[path], dataset.GetSingleValue<DicomPersonName>(DicomTag.PatientName).ToString());
    }

    [Fact]
    public void Gb2312_with_escape_sequences_decodes_to_chinese()
    {
        // pydicom 2.3 leaves the ESC $ ) A sequences in this name, so the expected text is stated here.
        var dataset = DicomFile.Open(TestData.File("fo-dicom/charset/chrGB2312.dcm")).Dataset;

        Assert.Equal("Zhang^XiaoDong=张^小东", dataset.GetSingleValue<DicomPersonName>(DicomTag.PatientName).ToString());
    }

    [Fact]
    public void An_unsupported_repertoire_is_refused_by_name_and_keeps_its_bytes()
    {
        var dataset = new DicomDataset()
            .Add(DicomTag.SpecificCharacterSet, "", "ISO 2022 IR 159")
            .Add(new DicomElement(DicomTag.PatientName, DicomVR.PN, new byte[] { 0x1B, 0x24, 0x28, 0x44, 0x30, 0x21 }));

        Assert.False(dataset.CharacterSet.IsSupported);
        var ex = Assert.Throws<DicomCharacterSetException>(() => dataset.GetString(DicomTag.PatientName));
        Assert.Contains("ISO 2022 IR 159", ex.Message, StringComparison.Ordinal);
        Assert.False(dataset.TryGetString(DicomTag.PatientName, out _));
        Assert.Equal(6, dataset.GetElement(DicomTag.PatientName)!.Length);
    }

    [Fact]
    public void Writing_non_ascii_text_under_iso2022_is_refused()
    {
        var dataset = new DicomDataset().Add(DicomTag.SpecificCharacterSet, "", "ISO 2022 IR 87");

        Assert.Throws<DicomCharacterSetException>(() => dataset.Add(DicomTag.PatientName, "山田"));
    }

    [Theory]
    [InlineData("", "Müller", new byte[] { 0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72 })]
    [InlineData("ISO_IR 100", "Müller", new byte[] { 0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72 })]
    [InlineData("ISO_IR 192", "Müller", new byte[] { 0x4D, 0xC3, 0xBC, 0x6C, 0x6C, 0x65, 0x72 })]
    [InlineData("ISO_IR 144", "Иван", new byte[] { 0xB8, 0xD2, 0xD0, 0xDD })]
    public void Text_is_encoded_with_the_data_sets_specific_character_set(string characterSet, string text, byte[] expected)
    {
        var dataset = new DicomDataset();
        if (characterSet.Length > 0)
        {
            dataset.Add(DicomTag.SpecificCharacterSet, characterSet);
        }

        dataset.Add(DicomTag.PatientName, text);

        Assert.Equal(expected, dataset.GetElement(DicomTag.PatientName)!.Buffer.ToArray());
        Assert.Equal(text, dataset.GetString(DicomTag.PatientName));
    }

    [Fact]
    public void Sequence_items_use_their_own_character_set_when_they_carry_one()
    {
        var dataset = DicomFile.Open(TestData.File("fo-dicom/charset/chrSQEncoding.dcm")).Dataset;

        var item = dataset.GetSequence(DicomTag.RequestedProcedureCodeSequence).Items[0];
        Assert.Same(DicomCharacterSet.Utf8, dataset.CharacterSet);
        Assert.Contains("ISO 2022 IR 87", item.CharacterSet.Terms);
        Assert.True(item.CharacterSet.UsesCodeExtensions);
    }

    [Fact]
    public void Sequence_items_without_their_own_character_set_inherit_the_parents_when_read()
    {
        var item = new DicomDataset { CharacterSet = DicomCharacterSet.Utf8 }.Add(DicomTag.PatientName, "Müller^Jürgen");
        var dataset = new DicomDataset()
            .Add(DicomTag.SpecificCharacterSet, "ISO_IR 192")
            .Add(new DicomSequence(DicomTag.OtherPatientIDsSequence, item));
        var bytes = LiverFlow.Dicom.IO.DicomDatasetWriter.Encode(dataset, DicomTransferSyntax.ExplicitVRLittleEndian);

        var read = LiverFlow.Dicom.IO.DicomDatasetReader.Read(bytes, DicomTransferSyntax.ExplicitVRLittleEndian);

        Assert.Equal("Müller^Jürgen", read.GetSequence(DicomTag.OtherPatientIDsSequence).Items[0].GetString(DicomTag.PatientName));
    }

    [Theory]
    [InlineData("Doe^John^Q^Dr.^Jr.", "Doe", "John", "Q", "Dr.", "Jr.")]
    [InlineData("Doe^John", "Doe", "John", "", "", "")]
    [InlineData("Yamada^Tarou=山田^太郎=やまだ^たろう", "Yamada", "Tarou", "", "", "")]
    [InlineData("", "", "", "", "", "")]
    public void Person_names_split_into_components(string value, string family, string given, string middle, string prefix, string suffix)
    {
        var name = DicomPersonName.Parse(value);

        Assert.Equal((family, given, middle, prefix, suffix), (name.FamilyName, name.GivenName, name.MiddleName, name.Prefix, name.Suffix));
        Assert.Equal(value, name.ToString());
    }

    [Fact]
    public void Person_name_groups_are_alphabetic_ideographic_phonetic()
    {
        var name = DicomPersonName.Parse("Yamada^Tarou=山田^太郎=やまだ^たろう");

        Assert.Equal("山田", name.Ideographic.FamilyName);
        Assert.Equal("たろう", name.Phonetic.GivenName);
    }

    [Fact]
    public void A_person_name_with_six_components_is_rejected()
    {
        var ex = Assert.Throws<DicomDataException>(() => DicomPersonName.Parse("a^b^c^d^e^f"));
        Assert.Contains("five", ex.Message, StringComparison.Ordinal);
    }
}
