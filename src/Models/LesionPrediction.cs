namespace LiverFlow.Models;

/// <summary>One lesion's classification: probabilities in the card's class order and the dense-layer activations.</summary>
public sealed record LesionPrediction(IReadOnlyList<string> Classes, float[] Probabilities, float[] DenseActivations)
{
    public int PredictedIndex
    {
        get
        {
            var best = 0;
            for (var i = 1; i < Probabilities.Length; i++)
            {
                if (Probabilities[i] > Probabilities[best])
                {
                    best = i;
                }
            }

            return best;
        }
    }

    public string PredictedClass => Classes[PredictedIndex];
}
