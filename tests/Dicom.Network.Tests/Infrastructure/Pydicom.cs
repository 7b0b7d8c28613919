using System.Diagnostics;

namespace LiverFlow.Dicom.Network.Tests.Infrastructure;

/// <summary>pydicom through Debian's interpreter (the pyenv python3 on PATH cannot import Debian packages).</summary>
internal static class Pydicom
{
    private const string DebianPython = "/usr/bin/python3";

    private const string ReadScript = """
        import sys
        import pydicom
        failures = 0
        for path in sys.argv[1:]:
            try:
                ds = pydicom.dcmread(path)
                ds.walk(lambda d, e: e.value)
                print("OK", path, ds.SOPInstanceUID)
            except Exception as ex:
                failures += 1
                print("FAIL", path, type(ex).__name__, ex)
        sys.exit(1 if failures else 0)
        """;

    /// <summary>Reads every file with pydicom.dcmread, touching every value; returns pydicom's report.</summary>
    public static async Task<ToolResult> ReadAllAsync(IEnumerable<string> files)
    {
        if (!File.Exists(DebianPython))
        {
            throw new InvalidOperationException("Debian's /usr/bin/python3 is missing: install the Debian packages python3 and python3-pydicom.");
        }

        var info = new ProcessStartInfo(DebianPython) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(ReadScript);
        foreach (var file in files)
        {
            info.ArgumentList.Add(file);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start /usr/bin/python3.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var result = new ToolResult(process.ExitCode, await stdout, await stderr);
        if (result.StdErr.Contains("No module named 'pydicom'", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("pydicom is not importable by /usr/bin/python3: install the Debian package python3-pydicom.");
        }

        return result;
    }
}
