namespace LiverFlow.Ingest.Phases;

/// <summary>
/// The configurable knowledge behind phase identification (section <c>Ingest:PhaseRules</c>).
/// Timing windows follow LI-RADS v2018 technique recommendations and vendor bolus-tracking practice;
/// the name patterns cover Siemens (VIBE, t1_fl3d), GE (LAVA, LAVA-Flex, DISCO) and Philips (THRIVE,
/// eTHRIVE, mDIXON) protocols. Names only ever break ties or fill gaps: DICOM evidence (contrast
/// agent, timing, temporal positions, sequence physics) decides first.
/// </summary>
public sealed class PhaseRules
{
    /// <summary>Version recorded with every decision so a QA query can tell which rules made it.</summary>
    public string Version { get; set; } = "phase-rules/2018.1";

    /// <summary>Seconds after bolus start: below this an acquisition counts as pre-contrast.</summary>
    public double PreContrastBeforeSeconds { get; set; } = 5;
    /// <summary>Seconds after bolus start at which the portal venous window opens (arterial before it).</summary>
    public double PortalVenousFromSeconds { get; set; } = 50;
    /// <summary>Seconds after bolus start at which the delayed (or transitional) window opens.</summary>
    public double DelayedFromSeconds { get; set; } = 120;
    /// <summary>Seconds after bolus start from which a gadoxetate acquisition counts as hepatobiliary.</summary>
    public double HepatobiliaryFromSeconds { get; set; } = 600;

    /// <summary>Echo times at or above this are T2-weighted, never part of a dynamic T1 series.</summary>
    public double T2EchoTimeMs { get; set; } = 30;

    /// <summary>Agent names that mean a hepatobiliary agent (gadoxetate).</summary>
    public string HepatobiliaryAgentPattern { get; set; } = @"eovist|primovist|gadoxet|eob|gd-?eob";
    /// <summary>Values that vendors write into Contrast/Bolus Agent when there was none.</summary>
    public string NoAgentPattern { get; set; } = @"^\s*(none|no|nil|n/?a|-+|0)?\s*$";

    /// <summary>Body Part Examined values that are not a liver examination (an empty value says nothing and is not matched).</summary>
    public string NonLiverBodyPartPattern { get; set; } = @"^(brain|head|headneck|neck|skull|orbit|iac|sella|[ctl]?spine|[ctl]spine|knee|shoulder|hip|ankle|foot|hand|wrist|elbow|breast|extremity|arm|leg|prostate|heart)$";

    public string LocalizerPattern { get; set; } = @"\bloc(ali[sz]er)?\b|scout|survey|3[\s-]?pl(ane)?|tri[\s-]?pl|\bcal(ibration)?\b|asset cal";
    public string DerivedPattern { get; set; } = @"\bsub(tract(ion|ed)?)?\b|\bsubs?\d|\bmip\b|\bmnip\b|\bmpr\b|\bproj(ection)?\b|reformat|\bcolou?r\b|\bmap\b|_sub\b";
    public string DiffusionPattern { get; set; } = @"\bdwi\b|diff|\badc\b|ep2d|\btrace\b|\bb\s?=?\s?\d{2,4}\b|\bivim\b";
    public string InOpposedPhasePattern { get; set; } = @"in[\s_-]?phase|opp(osed)?(?:[\s_-]?phase)?\b|out[\s_-]?of[\s_-]?phase|\bip\b|\bop\b|[_\s]in$|[_\s]opp$|[_\s]fat$|fat[\s_-]?only";
    public string T2Pattern { get; set; } = @"\bt2|haste|ssfse|ss-?fse|\bssh|\btse\b|\bfse\b|frfse|trufi|fiesta|bffe|b-?ssfp|balance|mrcp|stir|flair|\bswi\b|\bt2\*|mapping|\belasto";
    public string PreContrastPattern { get; set; } = @"\bpre\b|pre[\s_-]?(con|contrast|gd|gad)|\bnative?\b|nativ|non[\s_-]?con|\bwo\b|w/o|\bmask\b|unenhanced|\bplain\b";
    public string ArterialPattern { get; set; } = @"\bart(erial)?\b|arterial|\bap\b|\blap\b|late[\s_-]?art|\bhat\b|\b(2\d|3\d|4\d)\s?s(ec)?\b";
    public string PortalVenousPattern { get; set; } = @"portal|\bpv\b|\bpvp\b|\bven(ous)?\b|\b(6\d|7\d|8\d|9\d)\s?s(ec)?\b|\b1\s?min";
    public string DelayedPattern { get; set; } = @"\bdel(ay(ed)?)?\b|equil|\beq\b|tardiv|\blate\b(?![\s_-]?art)|\b[2-5]\s?min|\b(1[2-9]\d|2\d\d)\s?s(ec)?\b|transitional|\btp\b";
    public string HepatobiliaryPattern { get; set; } = @"\bhbp\b|hepatobil|hepato[\s_-]?biliary|\b(1\d|20|2\d)\s?min";
    /// <summary>Names that say a series is post-contrast without naming its phase.</summary>
    public string PostContrastPattern { get; set; } = @"post|\+\s?c\b|\bgd\b|\bgad|contrast|\bdyn(amic)?\b|\bce\b|\bc\+|enhanced|\bdisco\b|\btwist\b";
    /// <summary>Names of the fat-suppressed 3D T1 gradient-echo sequences used for dynamic liver imaging.</summary>
    public string DynamicT1Pattern { get; set; } = @"vibe|lava|thrive|ethrive|\bt1|fl3d|fame|quick3d|\bdisco\b|starvibe|\bdixon\b|\bmdixon\b";
}
