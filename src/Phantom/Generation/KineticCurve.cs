namespace LiverFlow.Phantom.Generation;

/// <summary>A quantity against time after injection (s), piecewise linear between key points and flat beyond them.</summary>
public sealed class KineticCurve
{
    private readonly double[] times;
    private readonly double[] values;

    public KineticCurve(double[] times, double[] values)
    {
        ArgumentNullException.ThrowIfNull(times);
        ArgumentNullException.ThrowIfNull(values);
        if (times.Length != values.Length || times.Length == 0)
        {
            throw new ArgumentException("A kinetic curve needs as many values as times, at least one.");
        }

        for (var i = 1; i < times.Length; i++)
        {
            if (times[i] <= times[i - 1])
            {
                throw new ArgumentException("Kinetic curve times must increase.");
            }
        }

        this.times = times;
        this.values = values;
    }

    public double At(double t)
    {
        if (t <= times[0])
        {
            return values[0];
        }

        for (var i = 1; i < times.Length; i++)
        {
            if (t <= times[i])
            {
                var f = (t - times[i - 1]) / (times[i] - times[i - 1]);
                return values[i - 1] + f * (values[i] - values[i - 1]);
            }
        }

        return values[^1];
    }

    /// <summary>The standard sampling times: pre-contrast, arterial, portal venous, delayed.</summary>
    public static readonly double[] PhaseKeyTimes = [0, 27, 70, 200];

    /// <summary>A curve through the four phase key times.</summary>
    public static KineticCurve FromPhases(double pre, double arterial, double portalVenous, double delayed) =>
        new(PhaseKeyTimes, [pre, arterial, portalVenous, delayed]);
}
