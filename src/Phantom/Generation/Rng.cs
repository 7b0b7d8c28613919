using LiverFlow.Imaging;

namespace LiverFlow.Phantom.Generation;

/// <summary>Seeded random draws for the generator (System.Random with a seed is stable across runtimes).</summary>
public sealed class Rng(int seed)
{
    private readonly Random random = new(seed);

    public double Uniform(double min, double max) => min + (max - min) * random.NextDouble();

    public double LogUniform(double min, double max) => Math.Exp(Uniform(Math.Log(min), Math.Log(max)));

    public int Int(int minInclusive, int maxExclusive) => random.Next(minInclusive, maxExclusive);

    public bool Chance(double probability) => random.NextDouble() < probability;

    public int NextSeed() => random.Next();

    public double Normal(double mean = 0, double sd = 1)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return mean + sd * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    public T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

    public Vector3d UnitVector()
    {
        while (true)
        {
            double x = Uniform(-1, 1), y = Uniform(-1, 1), z = Uniform(-1, 1);
            var n = Math.Sqrt(x * x + y * y + z * z);
            if (n is > 0.05 and <= 1)
            {
                return new Vector3d(x / n, y / n, z / n);
            }
        }
    }
}
