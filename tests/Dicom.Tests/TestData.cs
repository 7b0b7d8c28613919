namespace LiverFlow.Dicom.Tests;

/// <summary>Locates ../shared/data/dicom beside the repository (the folder holding LiverFlow.sln).</summary>
internal static class TestData
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public static string RepositoryRoot => Path.GetDirectoryName(Root.Value)!;

    public static string DicomFolder => Root.Value;

    public static string File(string relative)
    {
        var path = Path.Combine(DicomFolder, relative);
        if (!System.IO.File.Exists(path))
        {
            throw new FileNotFoundException($"Test file {relative} is missing under {DicomFolder}.", path);
        }

        return path;
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !System.IO.File.Exists(Path.Combine(dir.FullName, "LiverFlow.sln")))
        {
            dir = dir.Parent;
        }

        if (dir is null)
        {
            throw new InvalidOperationException($"No LiverFlow.sln above {AppContext.BaseDirectory}; tests must run from the repository checkout.");
        }

        var data = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "dicom"));
        if (!Directory.Exists(data))
        {
            throw new InvalidOperationException($"Shared DICOM test data not found at {data} (expected ../shared/data/dicom next to the repository).");
        }

        return data;
    }
}
