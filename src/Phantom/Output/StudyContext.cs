using System.Globalization;
using LiverFlow.Dicom;
using LiverFlow.Phantom.Generation;

namespace LiverFlow.Phantom.Output;

/// <summary>Patient, study and timing attributes shared by every object of one phantom study.</summary>
internal sealed class StudyContext
{
    public StudyContext(PhantomStudySpec study, VendorNaming naming)
    {
        Study = study;
        Naming = naming;
        var day = new DateTime(2026, 1, 5, 0, 0, 0, DateTimeKind.Unspecified).AddDays(study.Seed % 300);
        Date = day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        StudyStart = day.AddHours(8 + study.Seed % 9).AddMinutes(study.Seed % 47);
        InjectionTime = StudyStart.AddMinutes(12);
        StudyUid = DeterministicUids.For(study.Seed, "study");
        FrameOfReferenceUid = DeterministicUids.For(study.Seed, "frame-of-reference");
        PatientId = FormattableString.Invariant($"LFPH{study.Seed:D7}");
        FieldStrength = study.Seed % 3 == 0 ? "3" : "1.5";
    }

    public PhantomStudySpec Study { get; }

    public VendorNaming Naming { get; }

    public string Date { get; }

    public DateTime StudyStart { get; }

    public DateTime InjectionTime { get; }

    public string StudyUid { get; }

    public string FrameOfReferenceUid { get; }

    public string PatientId { get; }

    public string FieldStrength { get; }

    public DicomDataset PatientAndStudy()
    {
        var seed = Study.Seed;
        return new DicomDataset()
            .Add(DicomTag.SpecificCharacterSet, DicomVR.CS, "ISO_IR 100")
            .Add(DicomTag.StudyDate, DicomVR.DA, Date)
            .Add(DicomTag.StudyTime, DicomVR.TM, PhantomDicomWriter.Time(StudyStart))
            .Add(DicomTag.AccessionNumber, DicomVR.SH, FormattableString.Invariant($"LFA{seed:D7}"))
            .Add(DicomTag.Manufacturer, DicomVR.LO, Naming.Manufacturer)
            .Add(DicomTag.ManufacturerModelName, DicomVR.LO, Naming.Model)
            .Add(DicomTag.InstitutionName, DicomVR.LO, "LiverFlow Synthetic Phantom Site")
            .Add(DicomTag.ReferringPhysicianName, DicomVR.PN, string.Empty)
            .Add(DicomTag.StudyDescription, DicomVR.LO, PhantomDicomWriter.StudyDescription)
            .Add(DicomTag.PatientName, DicomVR.PN, FormattableString.Invariant($"PHANTOM^LIVER{seed}"))
            .Add(DicomTag.PatientID, DicomVR.LO, PatientId)
            .Add(DicomTag.PatientBirthDate, DicomVR.DA, FormattableString.Invariant($"{1945 + seed % 40}0{1 + seed % 9}1{seed % 10}"))
            .Add(DicomTag.PatientSex, DicomVR.CS, seed % 2 == 0 ? "F" : "M")
            .Add(DicomTag.StudyInstanceUID, DicomVR.UI, StudyUid)
            .Add(DicomTag.StudyID, DicomVR.SH, FormattableString.Invariant($"{seed % 100000}"))
            .Add(DicomTag.BodyPartExamined, DicomVR.CS, "ABDOMEN");
    }
}
