using System.Globalization;
using System.Text.RegularExpressions;
using LiverFlow.Imaging;

namespace LiverFlow.Ingest.Phases;

/// <summary>
/// One series' (or temporal position's) phase, how sure the rules are, and why. <see cref="Phase"/> is
/// null for a series that is not part of the dynamic T1 acquisition (T2, diffusion, localizer, ...).
/// </summary>
public sealed record PhaseDecision(SeriesHeader Series, ContrastPhase? Phase, double Confidence, string Reason)
{
    public string PhaseName => Phase?.ToString() ?? "not a contrast phase";
}

/// <summary>The phases of a whole study, the series chosen for each, and what is missing.</summary>
public sealed record StudyPhaseAssessment(
    IReadOnlyList<PhaseDecision> Decisions,
    IReadOnlyDictionary<ContrastPhase, PhaseDecision> Selected,
    IReadOnlyList<string> MissingPhaseReasons,
    string RulesVersion)
{
    /// <summary>True when the arterial, portal venous and delayed (or transitional) inputs of the model are all present.</summary>
    public bool IsComplete => MissingPhaseReasons.Count == 0;

    /// <summary>The delayed input of the model: the delayed phase, or the transitional phase with gadoxetate.</summary>
    public PhaseDecision? DelayedInput =>
        Selected.GetValueOrDefault(ContrastPhase.Delayed) ?? Selected.GetValueOrDefault(ContrastPhase.Transitional);
}

/// <summary>
/// Identifies the contrast phases of a liver MRI study from DICOM headers alone.
/// Evidence is weighed in this order: what a series cannot be (other modality or body part, derived,
/// localizer, diffusion, in/opposed phase, T2 physics), then timing against the bolus start, then
/// contrast agent presence with acquisition order, and names only to break ties or fill gaps.
/// </summary>
public sealed class ContrastPhaseClassifier
{
    /// <summary>Below this confidence a phase is not used for the model: the study goes to a person instead.</summary>
    public const double MinimumConfidence = 0.6;

    // Two post-contrast acquisitions this close together are an early and a late arterial pass.
    private static readonly TimeSpan DoubleArterialGap = TimeSpan.FromSeconds(25);

    private readonly PhaseRules _rules;
    private readonly Regex _nonLiverBodyPart, _localizer, _derived, _diffusion, _inOpposed, _t2, _pre, _arterial, _portal, _delayed,
        _hepatobiliary, _post, _dynamicT1, _hepatobiliaryAgent, _noAgent;

    public ContrastPhaseClassifier(PhaseRules rules)
    {
        _rules = rules ?? throw new ArgumentNullException(nameof(rules));
        _nonLiverBodyPart = Compile(rules.NonLiverBodyPartPattern);
        _localizer = Compile(rules.LocalizerPattern);
        _derived = Compile(rules.DerivedPattern);
        _diffusion = Compile(rules.DiffusionPattern);
        _inOpposed = Compile(rules.InOpposedPhasePattern);
        _t2 = Compile(rules.T2Pattern);
        _pre = Compile(rules.PreContrastPattern);
        _arterial = Compile(rules.ArterialPattern);
        _portal = Compile(rules.PortalVenousPattern);
        _delayed = Compile(rules.DelayedPattern);
        _hepatobiliary = Compile(rules.HepatobiliaryPattern);
        _post = Compile(rules.PostContrastPattern);
        _dynamicT1 = Compile(rules.DynamicT1Pattern);
        _hepatobiliaryAgent = Compile(rules.HepatobiliaryAgentPattern);
        _noAgent = Compile(rules.NoAgentPattern);
    }

    private static Regex Compile(string pattern) =>
        new(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200));

    public StudyPhaseAssessment Classify(IReadOnlyList<SeriesHeader> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var decisions = new List<PhaseDecision>(series.Count);
        var candidates = new List<SeriesHeader>();
        foreach (var s in series)
        {
            if (Exclusion(s) is { } excluded)
            {
                decisions.Add(excluded);
            }
            else
            {
                candidates.Add(s);
            }
        }

        var hepatobiliaryAgent = series.Any(s => HasAgent(s) && _hepatobiliaryAgent.IsMatch(s.ContrastBolusAgent));
        var bolusStart = series.Where(s => s.ContrastBolusStartTime is not null)
            .Select(s => s.ContrastBolusStartTime!.Value).Order().Cast<TimeOnly?>().FirstOrDefault();

        decisions.AddRange(bolusStart is { } start
            ? ByTiming(candidates, start, hepatobiliaryAgent)
            : ByAgentAndOrder(candidates, hepatobiliaryAgent));

        var ordered = decisions.OrderBy(d => d.Series.SeriesNumber ?? int.MaxValue)
            .ThenBy(d => d.Series.TemporalPositionIdentifier ?? 0).ToList();
        var selected = Select(ordered);
        return new StudyPhaseAssessment(ordered, selected, Missing(selected, ordered, candidates), _rules.Version);
    }

    private static string Name(SeriesHeader s) => $"{s.SeriesDescription} {s.ProtocolName}".Trim();

    private bool HasAgent(SeriesHeader s) => !_noAgent.IsMatch(s.ContrastBolusAgent ?? "");

    private PhaseDecision? Exclusion(SeriesHeader s)
    {
        PhaseDecision Other(double confidence, string reason) => new(s, null, confidence, reason);
        var name = Name(s);
        var imageType = s.ImageType.Select(v => v.Trim().ToUpperInvariant()).ToHashSet();

        if (!string.Equals(s.Modality, "MR", StringComparison.OrdinalIgnoreCase))
        {
            return Other(1.0, $"modality {s.Modality} is not MR");
        }
        if (s.BodyPartExamined.Trim().Length > 0 && _nonLiverBodyPart.IsMatch(s.BodyPartExamined.Trim()))
        {
            return Other(1.0, $"body part {s.BodyPartExamined.Trim().ToUpperInvariant()} is not a liver examination");
        }
        if (imageType.Contains("LOCALIZER") || _localizer.IsMatch(name))
        {
            return Other(0.95, "localizer");
        }
        if (imageType.Overlaps(["SUBTRACTION", "SUB", "MIP", "MNIP", "MPR", "PROJECTION IMAGE", "REFORMATTED", "COLLAPSE"])
            || _derived.IsMatch(name))
        {
            return Other(0.95, "derived image (subtraction, projection or reformat), not an acquired phase");
        }
        if (s.DiffusionBValue is > 0 || imageType.Overlaps(["DIFFUSION", "ADC", "TRACEW"]) || _diffusion.IsMatch(name))
        {
            return Other(0.95, "diffusion-weighted");
        }
        if (imageType.Overlaps(["IN_PHASE", "OUT_PHASE", "OPP_PHASE", "IP", "OP", "FAT"]) || IsInOpposedPhaseName(name))
        {
            return Other(0.9, "in/opposed-phase or fat-only image");
        }
        if (s.EchoTimeMs is { } te && te >= _rules.T2EchoTimeMs)
        {
            return Other(0.95, $"echo time {te.ToString("0.#", CultureInfo.InvariantCulture)} ms is T2-weighted");
        }
        if (_t2.IsMatch(name) && !_dynamicT1.IsMatch(name))
        {
            return Other(0.85, "T2-weighted or other non-dynamic sequence by name");
        }
        return null;
    }

    private bool IsInOpposedPhaseName(string name) => _inOpposed.IsMatch(name) && !Regex.IsMatch(name, @"[_\s-]w(ater)?$", RegexOptions.IgnoreCase, TimeSpan.FromMilliseconds(50));

    private ContrastPhase? NameHint(SeriesHeader s, bool hepatobiliaryAgent)
    {
        var name = Name(s);
        if (_hepatobiliary.IsMatch(name))
        {
            return hepatobiliaryAgent ? ContrastPhase.Hepatobiliary : ContrastPhase.Delayed;
        }
        if (_delayed.IsMatch(name))
        {
            return hepatobiliaryAgent ? ContrastPhase.Transitional : ContrastPhase.Delayed;
        }
        if (_portal.IsMatch(name))
        {
            return ContrastPhase.PortalVenous;
        }
        if (_arterial.IsMatch(name))
        {
            return ContrastPhase.Arterial;
        }
        return _pre.IsMatch(name) ? ContrastPhase.PreContrast : null;
    }

    private static TimeSpan Elapsed(TimeOnly from, TimeOnly to)
    {
        var elapsed = to - from; // TimeOnly subtraction wraps at midnight into [0, 24 h)
        return elapsed > TimeSpan.FromHours(12) ? elapsed - TimeSpan.FromHours(24) : elapsed;
    }

    private IEnumerable<PhaseDecision> ByTiming(List<SeriesHeader> candidates, TimeOnly bolusStart, bool hepatobiliaryAgent)
    {
        foreach (var s in candidates)
        {
            var hint = NameHint(s, hepatobiliaryAgent);
            if (s.AcquisitionTime is not { } acquired)
            {
                yield return hint is { } h
                    ? new PhaseDecision(s, h, 0.5, "no acquisition time; phase from the series name only")
                    : new PhaseDecision(s, null, 0.5, "no acquisition time and no phase in the series name");
                continue;
            }
            var seconds = Elapsed(bolusStart, acquired).TotalSeconds;
            var (phase, window) = seconds switch
            {
                _ when seconds < _rules.PreContrastBeforeSeconds => (ContrastPhase.PreContrast, $"before {_rules.PreContrastBeforeSeconds:0} s"),
                _ when seconds < _rules.PortalVenousFromSeconds => (ContrastPhase.Arterial, $"{_rules.PreContrastBeforeSeconds:0}–{_rules.PortalVenousFromSeconds:0} s"),
                _ when seconds < _rules.DelayedFromSeconds => (ContrastPhase.PortalVenous, $"{_rules.PortalVenousFromSeconds:0}–{_rules.DelayedFromSeconds:0} s"),
                _ when hepatobiliaryAgent && seconds >= _rules.HepatobiliaryFromSeconds => (ContrastPhase.Hepatobiliary, $"from {_rules.HepatobiliaryFromSeconds:0} s with gadoxetate"),
                _ => (hepatobiliaryAgent ? ContrastPhase.Transitional : ContrastPhase.Delayed, $"from {_rules.DelayedFromSeconds:0} s"),
            };
            var reason = string.Create(CultureInfo.InvariantCulture,
                $"acquired {seconds:0} s after the bolus start (window {window})");
            var confidence = 0.95;
            if (hint is { } named && named != phase && !(named == ContrastPhase.Delayed && phase == ContrastPhase.Transitional))
            {
                confidence = 0.8;
                reason += $"; the name suggests {named}, timing wins";
            }
            if (phase == ContrastPhase.PreContrast && HasAgent(s))
            {
                reason += "; an agent is recorded but the acquisition precedes the bolus";
            }
            yield return new PhaseDecision(s, phase, confidence, reason);
        }
    }

    private IEnumerable<PhaseDecision> ByAgentAndOrder(List<SeriesHeader> candidates, bool hepatobiliaryAgent)
    {
        var ordered = candidates
            .OrderBy(s => s.AcquisitionTime ?? TimeOnly.MaxValue)
            .ThenBy(s => s.TemporalPositionIdentifier ?? 0)
            .ThenBy(s => s.SeriesNumber ?? int.MaxValue)
            .ToList();

        var post = new List<SeriesHeader>();
        var firstPostTime = ordered.Where(IsPost(hepatobiliaryAgent)).Select(s => s.AcquisitionTime).FirstOrDefault(t => t is not null);
        foreach (var s in ordered)
        {
            if (IsPost(hepatobiliaryAgent)(s))
            {
                post.Add(s);
                continue;
            }
            var namedPre = NameHint(s, hepatobiliaryAgent) == ContrastPhase.PreContrast;
            var before = firstPostTime is { } t && s.AcquisitionTime is { } a && a <= t;
            var confidence = namedPre ? 0.9 : before ? 0.85 : 0.7;
            var reason = "no contrast agent recorded" + (namedPre ? " and named pre-contrast" : "")
                + (before ? " and acquired before the first post-contrast series" : "");
            yield return new PhaseDecision(s, ContrastPhase.PreContrast, confidence, reason);
        }

        var delayedPhase = hepatobiliaryAgent ? ContrastPhase.Transitional : ContrastPhase.Delayed;
        var next = ContrastPhase.Arterial;
        PhaseDecision? previous = null;
        var index = 0;
        foreach (var s in post)
        {
            index++;
            var hint = NameHint(s, hepatobiliaryAgent);
            var evidence = HasAgent(s) ? $"agent '{s.ContrastBolusAgent.Trim()}' recorded" : "post-contrast by name";
            PhaseDecision decision;
            if (hint is { } named and not ContrastPhase.PreContrast && Rank(named) >= Rank(next))
            {
                decision = new PhaseDecision(s, named, 0.85, $"{evidence}; named {named} and consistent with acquisition order");
            }
            else if (previous is { Phase: ContrastPhase.Arterial } p && hint is null
                && s.AcquisitionTime is { } t && p.Series.AcquisitionTime is { } pt && Elapsed(pt, t) < DoubleArterialGap)
            {
                decision = new PhaseDecision(s, ContrastPhase.Arterial, 0.75, $"{evidence}; second arterial pass {Elapsed(pt, t).TotalSeconds:0} s after the first");
            }
            else
            {
                var phase = next;
                var confidence = hint is null ? 0.75 : 0.6;
                var reason = string.Create(CultureInfo.InvariantCulture, $"{evidence}; post-contrast acquisition {index} of {post.Count} in time order");
                if (hint is { } contradicted)
                {
                    reason += $"; the name suggests {contradicted}, acquisition order wins";
                }
                decision = new PhaseDecision(s, phase, confidence, reason);
            }
            if (hepatobiliaryAgent && decision.Phase == delayedPhase && firstPostTime is { } first && s.AcquisitionTime is { } at
                && Elapsed(first, at).TotalSeconds >= _rules.HepatobiliaryFromSeconds)
            {
                decision = decision with { Phase = ContrastPhase.Hepatobiliary, Reason = decision.Reason + "; over 10 minutes after the first post-contrast series with gadoxetate" };
            }
            yield return decision;
            previous = decision;
            // Every post-contrast decision carries a phase; only exclusions have none.
            next = decision.Phase!.Value switch
            {
                ContrastPhase.Arterial => ContrastPhase.PortalVenous,
                ContrastPhase.PortalVenous => delayedPhase,
                var phase => phase,
            };
        }
    }

    private Func<SeriesHeader, bool> IsPost(bool hepatobiliaryAgent) => s =>
    {
        if (HasAgent(s))
        {
            return true;
        }
        var hint = NameHint(s, hepatobiliaryAgent);
        return hint is not null and not ContrastPhase.PreContrast || (_post.IsMatch(Name(s)) && !_pre.IsMatch(Name(s)));
    };

    private static int Rank(ContrastPhase phase) => phase switch
    {
        ContrastPhase.PreContrast => 0,
        ContrastPhase.Arterial => 1,
        ContrastPhase.PortalVenous => 2,
        ContrastPhase.Delayed or ContrastPhase.Transitional => 3,
        ContrastPhase.Hepatobiliary => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, null),
    };

    private static Dictionary<ContrastPhase, PhaseDecision> Select(List<PhaseDecision> decisions)
    {
        var selected = new Dictionary<ContrastPhase, PhaseDecision>();
        foreach (var group in decisions.Where(d => d.Phase is not null).GroupBy(d => d.Phase!.Value))
        {
            // LI-RADS prefers the late arterial pass for hyperenhancement; other phases take the first good one.
            var best = group.OrderByDescending(d => d.Confidence)
                .ThenBy(d => group.Key == ContrastPhase.Arterial ? -(d.Series.AcquisitionTime?.Ticks ?? 0) : d.Series.AcquisitionTime?.Ticks ?? 0)
                .First();
            selected[group.Key] = best;
        }
        return selected;
    }

    private static List<string> Missing(Dictionary<ContrastPhase, PhaseDecision> selected, List<PhaseDecision> decisions, List<SeriesHeader> candidates)
    {
        var missing = new List<string>();
        void Require(string what, params ContrastPhase[] phases)
        {
            var found = phases.Select(selected.GetValueOrDefault).FirstOrDefault(d => d is not null);
            if (found is not null && found.Confidence >= MinimumConfidence)
            {
                return;
            }
            if (found is not null)
            {
                missing.Add($"no {what} phase with enough confidence: {found.Series.Label} is {found.PhaseName} only at {found.Confidence:0.00} ({found.Reason})");
                return;
            }
            missing.Add($"no {what} phase: {Explain(decisions, candidates)}");
        }
        Require("arterial", ContrastPhase.Arterial);
        Require("portal venous", ContrastPhase.PortalVenous);
        Require("delayed", ContrastPhase.Delayed, ContrastPhase.Transitional);
        return missing;
    }

    private static string Explain(List<PhaseDecision> decisions, List<SeriesHeader> candidates)
    {
        if (decisions.Count == 0)
        {
            return "the study has no series";
        }
        if (candidates.Count == 0)
        {
            return "no dynamic T1 series among " + string.Join("; ", decisions.Take(4).Select(d => $"{d.Series.Label}: {d.Reason}"))
                + (decisions.Count > 4 ? $"; and {decisions.Count - 4} more" : "");
        }
        return string.Join("; ", decisions.Where(d => candidates.Contains(d.Series)).Take(4)
            .Select(d => $"{d.Series.Label} is {d.PhaseName} ({d.Reason})"));
    }
}
