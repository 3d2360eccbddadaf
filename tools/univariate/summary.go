package univariate

import (
	"context"
	"encoding/json"

	"github.com/toolq/toolq/tools/internal/pyfmt"

	"github.com/toolq/toolq/tools/internal/stats"
	"github.com/toolq/toolq/tools/tool"
)

// noValues is the tool_error for an input whose values are all missing.
func noValues(key string) error {
	return tool.Errorf("%s has no non-missing values", key).With("key", key)
}

type summaryOutput struct {
	Mean         pyfmt.Float `json:"mean"`
	StdDdof0     pyfmt.Float `json:"std_ddof0"`
	StdDdof1     pyfmt.Float `json:"std_ddof1"`
	RSDClassical pyfmt.Float `json:"rsd_classical"`
	Percentile05 pyfmt.Float `json:"percentile_05"`
	Percentile25 pyfmt.Float `json:"percentile_25"`
	Median       pyfmt.Float `json:"median"`
	Percentile75 pyfmt.Float `json:"percentile_75"`
	Percentile95 pyfmt.Float `json:"percentile_95"`
	IQR          pyfmt.Float `json:"iqr"`
	Min          pyfmt.Float `json:"min"`
	Max          pyfmt.Float `json:"max"`
	NNonMissing  int         `json:"N_non_missing"`
	Center       pyfmt.Float `json:"center"`
	Spread       pyfmt.Float `json:"spread"`
	RSD          pyfmt.Float `json:"rsd"`
}

func robustSummaryStatsDef() tool.Def {
	return tool.Def{
		Name:     "robust_summary_stats",
		Example:  `{"values": [108, 89.52, 95.16, 101.61, 99.19, 100, 93.55, 97.58, 93.55, 98.39, 88.71]}`,
		Category: Category,
		Description: "Describe a list of numbers with classical and robust statistics. " +
			"Input: values (numbers, null = missing; at least 2) and method, \"robust\" (default) or \"classical\". " +
			"Output: mean, std_ddof0 and std_ddof1 (population and sample standard deviation), rsd_classical (std_ddof1/mean), " +
			"percentile_05, percentile_25, median, percentile_75 and percentile_95 (linear interpolation, as numpy and R type 7), " +
			"iqr (percentile_75 − percentile_25), min, max, N_non_missing, and a headline center, spread and rsd (spread/center). " +
			"With method robust, center is the median and spread the Rousseeuw–Croux Sn scale; when the data vary but Sn is 0 " +
			"(heavily repeated values), center and spread fall back to the mean and sample standard deviation. " +
			"With method classical they are the mean and sample standard deviation. Missing values are ignored; " +
			"undefined results (a zero center in rsd, one value's sample standard deviation) are null.",
		Schema: schema("robust_summary_stats"),
		Run:    runRobustSummaryStats,
	}
}

func runRobustSummaryStats(_ context.Context, input json.RawMessage) (any, error) {
	in := struct {
		Values tool.Vector `json:"values"`
		Method string      `json:"method"`
	}{Method: "robust"}
	if err := tool.Decode(input, &in); err != nil {
		return nil, err
	}
	if in.Method != "robust" && in.Method != "classical" {
		return nil, tool.Invalidf("method must be \"robust\" or \"classical\", not %q", in.Method)
	}
	x := in.Values.Values()
	n := stats.Count(x)
	if n == 0 {
		return nil, noValues("values")
	}
	mean := stats.NanMean(x)
	std1 := stats.NanStd(x, 1)
	p := stats.NanPercentiles(x, 5, 25, 75, 95)
	lo, hi := stats.NanMin(x), stats.NanMax(x)
	median := stats.NanMedian(x)

	center, spread := mean, std1
	if in.Method == "robust" {
		// Sn is 0 when more than half of the values coincide; the seed then
		// reports the classical pair rather than a zero spread.
		if sn := stats.Sn(x); !(hi-lo > 0 && sn == 0) {
			center, spread = median, sn
		}
	}
	return summaryOutput{
		Mean:         pyfmt.Float(mean),
		StdDdof0:     pyfmt.Float(stats.NanStd(x, 0)),
		StdDdof1:     pyfmt.Float(std1),
		RSDClassical: pyfmt.Float(std1 / mean),
		Percentile05: pyfmt.Float(p[0]),
		Percentile25: pyfmt.Float(p[1]),
		Median:       pyfmt.Float(median),
		Percentile75: pyfmt.Float(p[2]),
		Percentile95: pyfmt.Float(p[3]),
		IQR:          pyfmt.Float(p[2] - p[1]),
		Min:          pyfmt.Float(lo),
		Max:          pyfmt.Float(hi),
		NNonMissing:  n,
		Center:       pyfmt.Float(center),
		Spread:       pyfmt.Float(spread),
		RSD:          pyfmt.Float(spread / center),
	}, nil
}

func robustScaleSnDef() tool.Def {
	return tool.Def{
		Name:     "robust_scale_sn",
		Example:  `{"values": [0, 10, 20, 3, 4, 50, 6]}`,
		Category: Category,
		Description: "Estimate the spread of a list of numbers with the Rousseeuw–Croux Sn scale, a robust alternative to the " +
			"standard deviation that tolerates up to half the data being outliers and needs no estimate of the center. " +
			"Sn = 1.1926 · c_n · median over i of the median over j of |x_i − x_j|, with small-sample factors c_n. " +
			"Input: values (numbers, null = missing; at least 2). " +
			"Output: sn, rsd (sn divided by the mean; null when the mean is 0) and n, the number of non-missing values.",
		Schema: schema("robust_scale_sn"),
		Run: func(_ context.Context, input json.RawMessage) (any, error) {
			var in struct {
				Values tool.Vector `json:"values"`
			}
			if err := tool.Decode(input, &in); err != nil {
				return nil, err
			}
			x := in.Values.Values()
			n := stats.Count(x)
			if n == 0 {
				return nil, noValues("values")
			}
			sn := stats.Sn(x)
			return struct {
				Sn  pyfmt.Float `json:"sn"`
				RSD pyfmt.Float `json:"rsd"`
				N   int         `json:"n"`
			}{pyfmt.Float(sn), pyfmt.Float(sn / stats.NanMean(x)), n}, nil
		},
	}
}

func medianAbsoluteDeviationDef() tool.Def {
	return tool.Def{
		Name:     "median_absolute_deviation",
		Example:  `{"values": [10, 11, 12, 10, 9, 10, 50], "scale": "raw"}`,
		Category: Category,
		Description: "Compute the median absolute deviation (MAD), median(|x − median(x)|), a robust measure of spread. " +
			"Input: values (numbers, null = missing; at least 2) and scale: \"normal\" (default) divides by 0.6744897501960817 " +
			"so that the MAD estimates the standard deviation of normally distributed data; \"raw\" returns it unscaled. " +
			"Output: mad, scale (as given) and n, the number of non-missing values.",
		Schema: schema("median_absolute_deviation"),
		Run: func(_ context.Context, input json.RawMessage) (any, error) {
			in := struct {
				Values tool.Vector `json:"values"`
				Scale  string      `json:"scale"`
			}{Scale: "normal"}
			if err := tool.Decode(input, &in); err != nil {
				return nil, err
			}
			x := in.Values.Values()
			n := stats.Count(x)
			if n == 0 {
				return nil, noValues("values")
			}
			var mad float64
			switch in.Scale {
			case "normal":
				mad = stats.MADNormal(x)
			case "raw":
				mad = stats.MADRaw(x)
			default:
				return nil, tool.Invalidf("scale must be \"normal\" or \"raw\", not %q", in.Scale)
			}
			return struct {
				MAD   pyfmt.Float `json:"mad"`
				Scale string      `json:"scale"`
				N     int         `json:"n"`
			}{pyfmt.Float(mad), in.Scale, n}, nil
		},
	}
}
