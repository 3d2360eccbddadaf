package regression

import (
	"context"
	"encoding/json"
	"math"

	"github.com/toolq/toolq/tools/internal/pyfmt"
	"github.com/toolq/toolq/tools/internal/stats"
	"github.com/toolq/toolq/tools/tool"
)

// predictionPoints is the seed's pi_resolution: the prediction band is
// reported on this many evenly spaced x values from min(x) to max(x).
const predictionPoints = 50

// float32Eps is numpy's finfo(float32).eps, the seed's threshold below
// which Σ(x − x̄)² counts as "no spread in x".
const float32Eps = 0x1p-23

func robustRegressionDef() tool.Def {
	return tool.Def{
		Name:     "robust_regression",
		Example:  `{"x": [1, 2, 3, 4, 5, 6], "y": [2.1, 3.9, 6.2, 7.8, 10.1, 30]}`,
		Category: Category,
		Description: "Fit a robust straight line y = intercept + slope·x. The slope is Siegel's repeated median: " +
			"for each point the median of its slopes to every other point with a different x, then the median of " +
			"those medians; it ignores up to almost half of the points being outliers. The intercept is the median " +
			"of y − slope·x (or 0 with fit_intercept false). " +
			"Input: x and y of the same length (numbers, null = missing; a pair with a missing side is dropped; at " +
			"least 3 complete pairs; at most 5000 entries each, refused as input_too_large above that), " +
			"confidence_level (default 0.95) and fit_intercept (default true). " +
			"Output: slope, intercept, r2 (regression sum of squares over regression plus residual sums of squares, " +
			"which is not 1 − RSS/TSS for a robust line), standard_error (√(RSS/(n − k)), k = 2 with an intercept, " +
			"1 without), slope_std_error (standard_error/√Σ(x − x̄)²), n (complete pairs), fitted_values and residuals " +
			"(one per complete pair, in input order), confidence_level, slope_confidence_interval ([lower, upper], " +
			"slope ∓ t(1 − (1 − confidence_level)/2, n − k)·slope_std_error), and the prediction band for a new " +
			"observation on 50 x values from min(x) to max(x): prediction_interval_x, prediction_interval_lower and " +
			"prediction_interval_upper. These are the least-squares formulas applied to the robust line, as in the " +
			"original tool. When Σ(x − x̄)² is below 1.19e-7 (x has no usable spread) the standard errors and the slope " +
			"interval are null and the band collapses onto the line; when every x is equal the slope itself is null. " +
			"Example: {\"x\": [1, 2, 3, 4, 5], \"y\": [2.1, 4.0, 5.9, 8.1, 10.0]}. " +
			"Differences from the original tool: fewer than 3 complete pairs is an error that says so (the original " +
			"failed with an unrelated message), and the 5000-entry cap, which the original project added later " +
			"(max_regression_points) for complete pairs, counts the entries as given, missing ones included.",
		Schema: schema("robust_regression"),
		Check:  checkPairs,
		Run:    runRobustRegression,
	}
}

// robustFit is the seed's robust_regression (regression/methods.py) result,
// restricted to what the tool reports.
type robustFit struct {
	Slope           pyfmt.Float    `json:"slope"`
	Intercept       pyfmt.Float    `json:"intercept"`
	R2              pyfmt.Float    `json:"r2"`
	StandardError   pyfmt.Float    `json:"standard_error"`
	SlopeStdError   pyfmt.Float    `json:"slope_std_error"`
	N               int            `json:"n"`
	FittedValues    []pyfmt.Float  `json:"fitted_values"`
	Residuals       []pyfmt.Float  `json:"residuals"`
	ConfidenceLevel pyfmt.Float    `json:"confidence_level"`
	SlopeCI         [2]pyfmt.Float `json:"slope_confidence_interval"`
	PredictionX     []pyfmt.Float  `json:"prediction_interval_x"`
	PredictionLower []pyfmt.Float  `json:"prediction_interval_lower"`
	PredictionUpper []pyfmt.Float  `json:"prediction_interval_upper"`
}

func runRobustRegression(_ context.Context, input json.RawMessage) (any, error) {
	if err := checkPairs(input); err != nil {
		return nil, err
	}
	in := struct {
		X               tool.Vector `json:"x"`
		Y               tool.Vector `json:"y"`
		ConfidenceLevel float64     `json:"confidence_level"`
		FitIntercept    bool        `json:"fit_intercept"`
	}{ConfidenceLevel: 0.95, FitIntercept: true}
	if err := tool.Decode(input, &in); err != nil {
		return nil, err
	}
	x, y := stats.CompletePairs(in.X.Values(), in.Y.Values())
	if n := len(x); n <= 2 {
		return nil, tool.Errorf("robust_regression needs at least 3 complete (x, y) pairs, got %d", n).With("n", n)
	}
	return fitRobust(x, y, in.ConfidenceLevel, in.FitIntercept)
}

// fitRobust follows the seed's robust_regression step by step on complete
// pairs (at least 3): the same formulas in the same order, so that results
// agree to rounding.
func fitRobust(x, y []float64, confidenceLevel float64, fitIntercept bool) (robustFit, error) {
	n := len(x)
	k := 1
	if fitIntercept {
		k = 2
	}
	dof := float64(n - k)
	slope, err := stats.RepeatedMedianSlope(x, y)
	if err != nil {
		return robustFit{}, tool.Errorf("%v", err)
	}
	intercept := 0.0
	if fitIntercept {
		intercept = stats.RepeatedMedianIntercept(x, y, slope)
	}
	meanX, meanY := stats.NanMean(x), stats.NanMean(y)

	fitted, resid := make([]float64, n), make([]float64, n)
	var regSS, rss, sxx float64
	for i := range x {
		fitted[i] = intercept + slope*x[i]
		resid[i] = y[i] - fitted[i]
		d := fitted[i] - meanY
		regSS += d * d
		rss += resid[i] * resid[i]
		dx := x[i] - meanX
		sxx += dx * dx
	}
	// R² = RegSS/(RegSS + RSS): for a line that is not least squares the
	// two need not add up to TSS, so the seed makes them (see
	// learnche.org/pid/least-squares-modelling/least-squares-model-analysis).
	r2 := regSS / (regSS + rss)
	se := math.Sqrt(rss / dof)
	ct := stats.TQuantile(1-(1-confidenceLevel)/2, dof)

	grid := stats.Linspace(stats.NanMin(x), stats.NanMax(x), predictionPoints)
	pred := make([]float64, len(grid))
	for i, g := range grid {
		pred[i] = intercept + slope*g
	}
	lower, upper := pred, pred
	seSlope := math.NaN()
	if !(sxx < float32Eps) { // a NaN spread takes this branch too, as in the seed
		seSlope = se / math.Sqrt(sxx)
		var sx2 float64 // Σx², the spread about the origin
		for _, v := range x {
			sx2 += v * v
		}
		lower, upper = make([]float64, len(grid)), make([]float64, len(grid))
		for i, g := range grid {
			var v float64
			if fitIntercept {
				d := g - meanX
				v = se * se * ((1 + 1/float64(n)) + d*d/sxx)
			} else {
				v = se * se * (1 + g*g/sx2)
			}
			half := ct * math.Sqrt(v)
			lower[i], upper[i] = pred[i]-half, pred[i]+half
		}
	}
	return robustFit{
		Slope:           pyfmt.Float(slope),
		Intercept:       pyfmt.Float(intercept),
		R2:              pyfmt.Float(r2),
		StandardError:   pyfmt.Float(se),
		SlopeStdError:   pyfmt.Float(seSlope),
		N:               n,
		FittedValues:    pyfmt.Floats(fitted),
		Residuals:       pyfmt.Floats(resid),
		ConfidenceLevel: pyfmt.Float(confidenceLevel),
		SlopeCI:         [2]pyfmt.Float{pyfmt.Float(slope - ct*seSlope), pyfmt.Float(slope + ct*seSlope)},
		PredictionX:     pyfmt.Floats(grid),
		PredictionLower: pyfmt.Floats(lower),
		PredictionUpper: pyfmt.Floats(upper),
	}, nil
}
