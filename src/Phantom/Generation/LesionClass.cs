namespace LiverFlow.Phantom.Generation;

/// <summary>The six lesion classes of Hamm et al. 2019, in the model's output order.</summary>
public enum LesionClass
{
    HepatocellularCarcinoma = 0,
    IntrahepaticCholangiocarcinoma = 1,
    ColorectalMetastasis = 2,
    SimpleCyst = 3,
    Hemangioma = 4,
    FocalNodularHyperplasia = 5,
}

public static class LesionClasses
{
    public static readonly IReadOnlyList<LesionClass> All = Enum.GetValues<LesionClass>();

    /// <summary>Stable short code used in JSON, the training index and the model card.</summary>
    public static string Code(this LesionClass c) => c switch
    {
        LesionClass.HepatocellularCarcinoma => "hcc",
        LesionClass.IntrahepaticCholangiocarcinoma => "icc",
        LesionClass.ColorectalMetastasis => "crc_metastasis",
        LesionClass.SimpleCyst => "cyst",
        LesionClass.Hemangioma => "hemangioma",
        LesionClass.FocalNodularHyperplasia => "fnh",
        _ => throw new ArgumentOutOfRangeException(nameof(c), c, null),
    };

    public static string DisplayName(this LesionClass c) => c switch
    {
        LesionClass.HepatocellularCarcinoma => "Hepatocellular carcinoma",
        LesionClass.IntrahepaticCholangiocarcinoma => "Intrahepatic cholangiocarcinoma",
        LesionClass.ColorectalMetastasis => "Colorectal carcinoma metastasis",
        LesionClass.SimpleCyst => "Simple cyst",
        LesionClass.Hemangioma => "Hemangioma",
        LesionClass.FocalNodularHyperplasia => "Focal nodular hyperplasia",
        _ => throw new ArgumentOutOfRangeException(nameof(c), c, null),
    };
}
