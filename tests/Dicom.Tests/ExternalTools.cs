using System.Diagnostics;

namespace LiverFlow.Dicom.Tests;

/// <summary>Runs the real peers the conformance tests compare against (pydicom, dcmtk); never skips when one is missing.</summary>
internal static class ExternalTools
{
    public const string DebianPython = "/usr/bin/python3";

    public static (int ExitCode, string StdOut, string StdErr) Run(string fileName, IEnumerable<string> arguments, string? stdin = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = stdin is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["TCP_NODELAY"] = "1";
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
            process.StandardInput.Close();
        }

        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} did not finish in time.");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    public static void RequirePydicom()
    {
        if (!File.Exists(DebianPython))
        {
            throw new InvalidOperationException("Debian's /usr/bin/python3 is missing: install the Debian packages python3 and python3-pydicom (apt-get install python3-pydicom).");
        }

        var (code, _, err) = Run(DebianPython, ["-c", "import pydicom"]);
        if (code != 0)
        {
            throw new InvalidOperationException($"pydicom is not importable by /usr/bin/python3: install the Debian package python3-pydicom. ({err.Trim()})");
        }
    }

    public static string RequireDcmdump() => RequireTool("dcmdump", "dcmtk");

    public static string RequireDciodvfy() => RequireTool("dciodvfy", "dicom3tools");

    private static string RequireTool(string name, string debianPackage)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':'))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"{name} is not on PATH: install the Debian package {debianPackage}.");
    }
}
