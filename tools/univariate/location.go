package univariate

import (
	"context"
	"encoding/json"
	"fmt"
	"math"

	"github.com/toolq/toolq/tools/internal/pyfmt"

	"github.com/toolq/toolq/tools/internal/stats"
	"github.com/toolq/toolq/tools/tool"
)

func confidenceIntervalDef() tool.Def {
	return tool.Def{
		Name:     "confidence_interval",
		Example:  `{"values": [10, 11, 12, 10, 9, 10], "method": "classical"}`,
		Category: Category,
		Description: "Compute a t-based confidence interval for the center of a list of numbers: " +
			"center ± t(1 − (1 − confidence_level)/2, n − 1) · spread / √n. " +
			"Input: values (numbers, null = missing; at least 3, of which at least 2 non-missing), " +
			"confidence_level (default 0.95) and method: \"robust\" (default; center = median, spread = normal-scaled MAD) " +
			"or \"classical\" (center = mean, spread = sample standard deviation, the textbook one-sample t interval). " +
			"Output: lower, center, upper, margin_of_error, confidence_level, method and n (non-missing values).",
		Schema: schema("confidence_interval"),
		Run:    runConfidenceInterval,
	}
}

func runConfidenceInterval(_ context.Context, input json.RawMessage) (any, error) {
	in := struct {
		Values          tool.Vector `json:"values"`
		ConfidenceLevel float64     `json:"confidence_level"`
		Method          string      `json:"method"`
	}{ConfidenceLevel: 0.95, Method: "robust"}
	if err := tool.Decode(input, &in); err != nil {
		return nil, err
	}
	x := in.Values.Values()
	n := stats.Count(x)
	if n < 2 {
		return nil, tool.Errorf("a confidence interval needs at least 2 non-missing values, got %d", n).With("n", n)
	}
	var center, spread float64
	switch in.Method {
	case "robust":
		center, spread = stats.NanMedian(x), stats.MADNormal(x)
	case "classical":
		center, spread = stats.NanMean(x), stats.NanStd(x, 1)
	default:
		return nil, tool.Invalidf("method must be \"robust\" or \"classical\", not %q", in.Method)
	}
	ct := stats.TQuantile(1-(1-in.ConfidenceLevel)/2, float64(n-1))
	margin := ct * spread / math.Sqrt(float64(n))
	return struct {
		Lower           pyfmt.Float `json:"lower"`
		Center          pyfmt.Float `json:"center"`
		Upper           pyfmt.Float `json:"upper"`
		MarginOfError   pyfmt.Float `json:"margin_of_error"`
		ConfidenceLevel pyfmt.Float `json:"confidence_level"`
		Method          string      `json:"method"`
		N               int         `json:"n"`
	}{pyfmt.Float(center - margin), pyfmt.Float(center), pyfmt.Float(center + margin), pyfmt.Float(margin),
		pyfmt.Float(in.ConfidenceLevel), in.Method, n}, nil
}

// twoGroups is the input of both t-tests.
type twoGroups struct {
	GroupA          tool.Vector `json:"group_a"`
	GroupB          tool.Vector `json:"group_b"`
	ConfidenceLevel float64     `json:"confidence_level"`
}

func decodeTwoGroups(input json.RawMessage) (twoGroups, error) {
	in := twoGroups{ConfidenceLevel: 0.95}
	err := tool.Decode(input, &in)
	return in, err
}

// tTest holds what both t-tests compute from an estimate, its standard
// error and the degrees of freedom, with the seed's formulas.
type tTest struct {
	z, lower, upper, p float64
	significant        bool
}

func studentT(estimate, se, df, confidenceLevel float64) tTest {
	z := estimate / se
	ct := math.Abs(stats.TQuantile((1-confidenceLevel)/2, df))
	p := 2 * stats.TCDF(-math.Abs(z), df)
	return tTest{
		z:     z,
		lower: estimate - ct*se,
		upper: estimate + ct*se,
		p:     p,
		// A NaN p-value (no variation at all) is never significant.
		significant: p < 1-confidenceLevel,
	}
}

// interpretation renders the seed's f-string
// "{subject} ({label} = {diff:.4g}) IS|is NOT statistically significant (p={p:.4f} <|>= {1-cl:.2f})."
func interpretation(subject, label string, diff float64, t tTest, confidenceLevel float64) string {
	verdict, cmp := "is NOT", ">="
	if t.significant {
		verdict, cmp = "IS", "<"
	}
	return fmt.Sprintf("%s (%s = %s) %s statistically significant (p=%s %s %s).",
		subject, label, pyfmt.General(diff, 4), verdict, pyfmt.Fixed(t.p, 4), cmp, pyfmt.Fixed(1-confidenceLevel, 2))
}

func ttestTwoSamplesDef() tool.Def {
	return tool.Def{
		Name:     "ttest_two_samples",
		Example:  `{"group_a": [100, 101, 99, 100, 101], "group_b": [200, 201, 199, 200, 201]}`,
		Category: Category,
		Description: "Compare the means of two independent groups with Student's two-sample t-test, assuming equal variances " +
			"(pooled variance). The difference is taken as B − A. " +
			"Input: group_a and group_b (numbers, null = missing; at least 2 non-missing each) and confidence_level " +
			"(default 0.95). " +
			"Output: group_a_n, group_b_n, group_a_mean, group_b_mean, z_value (the t statistic of B − A), " +
			"conf_int_lower and conf_int_upper (confidence interval of B − A), p_value (two-sided), " +
			"degrees_of_freedom (n_a + n_b − 2, as a float), pooled_std (the standard error of the difference, " +
			"named as in the original tool), confidence_level, significant (p_value < 1 − confidence_level) and an " +
			"interpretation sentence. With no variation in either group the t statistic and p-value are null and " +
			"the result is not significant.",
		Schema: schema("ttest_two_samples"),
		Run:    runTTestTwoSamples,
	}
}

func runTTestTwoSamples(_ context.Context, input json.RawMessage) (any, error) {
	in, err := decodeTwoGroups(input)
	if err != nil {
		return nil, err
	}
	a, b := stats.DropNaN(in.GroupA.Values()), stats.DropNaN(in.GroupB.Values())
	for _, g := range []struct {
		key string
		n   int
	}{{"group_a", len(a)}, {"group_b", len(b)}} {
		if g.n < 2 {
			return nil, tool.Errorf("%s needs at least 2 non-missing values, got %d", g.key, g.n).With("key", g.key).With("n", g.n)
		}
	}
	na, nb := float64(len(a)), float64(len(b))
	meanA, meanB := stats.NanMean(a), stats.NanMean(b)
	diff := meanB - meanA
	df := na + nb - 2
	pooledVar := ((na-1)*stats.NanVar(a, 1) + (nb-1)*stats.NanVar(b, 1)) / df
	se := math.Sqrt(pooledVar * (1/na + 1/nb))
	t := studentT(diff, se, df, in.ConfidenceLevel)
	return struct {
		GroupAN         int         `json:"group_a_n"`
		GroupBN         int         `json:"group_b_n"`
		GroupAMean      pyfmt.Float `json:"group_a_mean"`
		GroupBMean      pyfmt.Float `json:"group_b_mean"`
		ZValue          pyfmt.Float `json:"z_value"`
		ConfIntLower    pyfmt.Float `json:"conf_int_lower"`
		ConfIntUpper    pyfmt.Float `json:"conf_int_upper"`
		PValue          pyfmt.Float `json:"p_value"`
		DF              pyfmt.Float `json:"degrees_of_freedom"`
		PooledStd       pyfmt.Float `json:"pooled_std"`
		ConfidenceLevel pyfmt.Float `json:"confidence_level"`
		Significant     bool        `json:"significant"`
		Interpretation  string      `json:"interpretation"`
	}{
		len(a), len(b), pyfmt.Float(meanA), pyfmt.Float(meanB),
		pyfmt.Float(t.z), pyfmt.Float(t.lower), pyfmt.Float(t.upper), pyfmt.Float(t.p),
		pyfmt.Float(df), pyfmt.Float(se), pyfmt.Float(in.ConfidenceLevel), t.significant,
		interpretation("The difference", "B - A", diff, t, in.ConfidenceLevel),
	}, nil
}

const pairedLengthMessage = "group_a and group_b must have the same length for a paired test."

func ttestPairedSamplesDef() tool.Def {
	return tool.Def{
		Name:     "ttest_paired_samples",
		Example:  `{"group_a": [8.8, 6.6, 7.26, 9.32, 5.88], "group_b": [5.37, 4.83, 7.87, 3.3, 8.26]}`,
		Category: Category,
		Description: "Compare two paired measurements (before/after, two methods on the same items) with the paired t-test: " +
			"a one-sample t-test on the differences A − B. " +
			"Input: group_a and group_b of the same length (numbers, null = missing; a pair with a missing side is " +
			"dropped; at least 2 complete pairs) and confidence_level (default 0.95). " +
			"Output: differences_mean, z_value (the t statistic), conf_int_lower and conf_int_upper (confidence interval " +
			"of the mean difference), p_value (two-sided), degrees_of_freedom (pairs − 1, an integer), std (the standard " +
			"error of the mean difference, named as in the original tool), group_a_mean, group_b_mean, group_a_n and " +
			"group_b_n (each group's own non-missing values), confidence_level, significant " +
			"(p_value < 1 − confidence_level) and an interpretation sentence.",
		Schema: schema("ttest_paired_samples"),
		Check: func(input json.RawMessage) error {
			return sameLength(input, "group_a", "group_b", pairedLengthMessage)
		},
		Run: runTTestPairedSamples,
	}
}

func runTTestPairedSamples(_ context.Context, input json.RawMessage) (any, error) {
	if err := sameLength(input, "group_a", "group_b", pairedLengthMessage); err != nil {
		return nil, err
	}
	in, err := decodeTwoGroups(input)
	if err != nil {
		return nil, err
	}
	a, b := in.GroupA.Values(), in.GroupB.Values()
	var d []float64
	for i := range a {
		if !math.IsNaN(a[i]) && !math.IsNaN(b[i]) {
			d = append(d, a[i]-b[i])
		}
	}
	n := len(d)
	if n < 2 {
		return nil, tool.Errorf("a paired t-test needs at least 2 pairs without missing values, got %d", n).With("n", n)
	}
	meanD := stats.NanMean(d)
	se := stats.NanStd(d, 1) * math.Sqrt(1/float64(n))
	df := n - 1
	t := studentT(meanD, se, float64(df), in.ConfidenceLevel)
	return struct {
		DifferencesMean pyfmt.Float `json:"differences_mean"`
		ZValue          pyfmt.Float `json:"z_value"`
		ConfIntLower    pyfmt.Float `json:"conf_int_lower"`
		ConfIntUpper    pyfmt.Float `json:"conf_int_upper"`
		PValue          pyfmt.Float `json:"p_value"`
		DF              int         `json:"degrees_of_freedom"`
		Std             pyfmt.Float `json:"std"`
		GroupAMean      pyfmt.Float `json:"group_a_mean"`
		GroupBMean      pyfmt.Float `json:"group_b_mean"`
		GroupAN         int         `json:"group_a_n"`
		GroupBN         int         `json:"group_b_n"`
		ConfidenceLevel pyfmt.Float `json:"confidence_level"`
		Significant     bool        `json:"significant"`
		Interpretation  string      `json:"interpretation"`
	}{
		pyfmt.Float(meanD), pyfmt.Float(t.z), pyfmt.Float(t.lower), pyfmt.Float(t.upper), pyfmt.Float(t.p),
		df, pyfmt.Float(se), pyfmt.Float(stats.NanMean(a)), pyfmt.Float(stats.NanMean(b)),
		stats.Count(a), stats.Count(b), pyfmt.Float(in.ConfidenceLevel), t.significant,
		interpretation("The mean paired difference", "A - B", meanD, t, in.ConfidenceLevel),
	}, nil
}
