using LiverFlow.Phantom.Generation;
using LiverFlow.Phantom.Output;

namespace LiverFlow.Phantom.Cli;

internal static class StudyWriterEntry
{
    public static void WriteStudies(string output, int count, int seed, IProgress<int> progress)
    {
        for (var n = 0; n < count; n++)
        {
            var study = PhantomStudyGenerator.Generate(seed + n);
            var directory = PhantomDicomWriter.WriteStudy(study, output);
            progress.Report(n + 1);
            Console.WriteLine($"{directory}: {study.Vendor}, {study.Lesions.Count} lesion(s): {string.Join(", ", study.Lesions.Select(l => l.Class.Code()))}");
        }
    }
}
