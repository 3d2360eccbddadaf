package experiments

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"

	"github.com/toolq/toolq/tools/internal/ols"
	"github.com/toolq/toolq/tools/internal/pydict"
	"github.com/toolq/toolq/tools/internal/pyfmt"
	"github.com/toolq/toolq/tools/internal/stats"
	"github.com/toolq/toolq/tools/tool"
)

type aeModelSummary struct {
	Formula           string      `json:"formula"`
	RSquared          pyfmt.Float `json:"r_squared"`
	RSquaredAdj       pyfmt.Float `json:"r_squared_adj"`
	RSquaredPred      pyfmt.Float `json:"r_squared_pred"`
	AdequatePrecision pyfmt.Float `json:"adequate_precision"`
	NObs              int         `json:"n_obs"`
	DfModel           int         `json:"df_model"`
	DfResidual        int         `json:"df_residual"`
	MSEResidual       pyfmt.Float `json:"mse_residual"`
}

// run fits the model and runs the requested analyses in order. The result
// is an object whose keys keep the order in which the analyses first set
// them, like the seed's dict after results.update(...) calls (a repeated
// analysis replaces its values in place). It is HTMLEscaped, as it always
// was (see pydict.HTMLEscaped).
func (c *aeCall) run(ctx context.Context) (any, error) {
	fit, err := ols.FitDesign(c.design)
	if err != nil {
		return nil, err
	}
	var out pydict.Dict
	out.Set("model_summary", aeSummary(c.formula, fit))
	alpha := c.in.SignificanceLevel
	for _, t := range c.types {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		switch t {
		case "anova":
			if fit.DfResid <= 0 {
				out.Set("anova_table", []any{})
				out.Set("note", "Saturated model — no residual degrees of freedom for ANOVA.")
				continue
			}
			table, err := aeAnova(fit)
			if err != nil {
				return nil, err
			}
			out.Set("anova_table", table)
		case "effects":
			out.Set("effects", aeNamedFloats(aeEffects(fit)))
		case "coefficients":
			out.Set("coefficients", aeCoefficients(fit))
		case "significance":
			sig, not := []string{}, []string{}
			for j, n := range fit.Names {
				switch p := fit.PValues[j]; {
				case n == "Intercept":
				case p < alpha:
					sig = append(sig, n)
				case p >= alpha:
					not = append(not, n)
				}
			}
			out.Set("significant_terms", sig)
			out.Set("not_significant_terms", not)
			out.Set("significance_level", pyfmt.Float(alpha))
		case "residual_diagnostics":
			out.Set("residual_diagnostics", aeDiagnostics(fit))
		case "lack_of_fit":
			out.Set("lack_of_fit", c.lackOfFit(fit))
		case "curvature_test":
			out.Set("curvature_test", c.curvature(fit))
		case "model_selection":
			sel, err := c.modelSelection(ctx)
			if err != nil {
				return nil, err
			}
			out.Set("model_selection", sel)
		case "box_cox":
			bc, err := aeBoxCox(c.data[c.in.ResponseColumn])
			if err != nil {
				return nil, err
			}
			out.Set("box_cox", bc)
		case "lenth_method":
			l, err := aeLenth(fit)
			if err != nil {
				return nil, err
			}
			out.Set("lenth_method", l)
		case "confidence_intervals":
			lo, hi := fit.ConfInt(alpha)
			rows := make([]aeInterval, len(fit.Names))
			for j, n := range fit.Names {
				rows[j] = aeInterval{n, pyfmt.Float(lo[j]), pyfmt.Float(hi[j])}
			}
			out.Set("confidence_intervals", rows)
			out.Set("confidence_level", pyfmt.Float(1-alpha))
		case "prediction":
			if c.newRows == nil {
				out.Set("prediction", aeError{"new_points is required for prediction."})
				continue
			}
			p, err := c.predict(fit)
			if err != nil {
				return nil, err
			}
			preds := make([]aePrediction, len(p.Mean))
			for i := range preds {
				preds[i] = aePrediction{pyfmt.Float(p.Mean[i]), pyfmt.Float(p.MeanLower[i]), pyfmt.Float(p.MeanUpper[i]),
					pyfmt.Float(p.ObsLower[i]), pyfmt.Float(p.ObsUpper[i])}
			}
			out.Set("predictions", preds)
		case "confirmation_test":
			if c.newRows == nil || c.observed == nil {
				out.Set("confirmation_test", aeError{"new_points and observed_at_new are required."})
				continue
			}
			p, err := c.predict(fit)
			if err != nil {
				return nil, err
			}
			ct := aeConfirmation{Results: []aeConfirmationRow{}, AllWithin: true, ConfidenceLevel: pyfmt.Float(1 - alpha)}
			for i, obs := range c.observed {
				v, _ := obs.Float64()
				within := p.ObsLower[i] <= v && v <= p.ObsUpper[i]
				ct.AllWithin = ct.AllWithin && within
				ct.Results = append(ct.Results, aeConfirmationRow{aeNumber(obs), pyfmt.Float(p.Mean[i]),
					pyfmt.Float(p.ObsLower[i]), pyfmt.Float(p.ObsUpper[i]), within})
			}
			out.Set("confirmation_test", ct)
		}
	}
	return pydict.HTMLEscaped{V: out}, nil
}

// aeSummary is the seed's model_summary block.
func aeSummary(formula string, fit *ols.Results) aeModelSummary {
	// r_squared_pred = 1 − PRESS/SST with the centred SST of the response.
	predR2 := 0.0
	if fit.CenteredTSS != 0 {
		predR2 = 1 - fit.PRESS()/fit.CenteredTSS
	}
	// adequate_precision = (max ŷ − min ŷ)/√(p·MSE/n), p = df_model + 1.
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range fit.Fitted {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	noise := math.Sqrt(float64(fit.DfModel+1) * fit.Scale / float64(fit.NObs))
	ap := math.Inf(1)
	switch {
	case fit.DfResid == 0:
		// No error variance (statsmodels' mse_resid is 0/0 or ε/0): undefined.
		ap = math.NaN()
	case noise != 0:
		ap = (hi - lo) / noise
	}
	return aeModelSummary{
		Formula:           formula,
		RSquared:          pyfmt.Float(fit.RSquared),
		RSquaredAdj:       pyfmt.Float(fit.RSquaredAdj),
		RSquaredPred:      pyfmt.Float(predR2),
		AdequatePrecision: pyfmt.Float(ap),
		NObs:              fit.NObs,
		DfModel:           fit.DfModel,
		DfResidual:        fit.DfResid,
		MSEResidual:       pyfmt.Float(fit.Scale),
	}
}

type aeAnovaRow struct {
	Source string       `json:"source"`
	DF     int          `json:"df"`
	SumSq  pyfmt.Float  `json:"sum_sq"`
	MeanSq *pyfmt.Float `json:"mean_sq"` // always null: a Type-II table has no mean squares
	F      pyfmt.Float  `json:"F"`
	P      pyfmt.Float  `json:"p_value"`
}

func aeAnova(fit *ols.Results) ([]aeAnovaRow, error) {
	table, err := fit.AnovaTypeII()
	if err != nil {
		return nil, err
	}
	rows := make([]aeAnovaRow, len(table))
	for i, r := range table {
		rows[i] = aeAnovaRow{Source: r.Source, DF: r.DF, SumSq: pyfmt.Float(r.SumSq), F: pyfmt.Float(r.F), P: pyfmt.Float(r.PValue)}
	}
	return rows, nil
}

type aeCoefficient struct {
	Term        string      `json:"term"`
	Coefficient pyfmt.Float `json:"coefficient"`
	StdError    pyfmt.Float `json:"std_error"`
	TValue      pyfmt.Float `json:"t_value"`
	PValue      pyfmt.Float `json:"p_value"`
	CILow       pyfmt.Float `json:"ci_low"`
	CIHigh      pyfmt.Float `json:"ci_high"`
}

func aeCoefficients(fit *ols.Results) []aeCoefficient {
	lo, hi := fit.ConfInt(0.05)
	out := make([]aeCoefficient, len(fit.Names))
	for j, n := range fit.Names {
		out[j] = aeCoefficient{n, pyfmt.Float(fit.Params[j]), pyfmt.Float(fit.BSE[j]), pyfmt.Float(fit.TValues[j]),
			pyfmt.Float(fit.PValues[j]), pyfmt.Float(lo[j]), pyfmt.Float(hi[j])}
	}
	return out
}

type aeInterval struct {
	Term   string      `json:"term"`
	CILow  pyfmt.Float `json:"ci_low"`
	CIHigh pyfmt.Float `json:"ci_high"`
}

type aeStatP struct {
	Statistic pyfmt.Float `json:"statistic"`
	PValue    pyfmt.Float `json:"p_value"`
}

type aeResidualDiagnostics struct {
	ShapiroWilk   aeStatP       `json:"shapiro_wilk"`
	DurbinWatson  pyfmt.Float   `json:"durbin_watson"`
	BreuschPagan  aeStatP       `json:"breusch_pagan"`
	CooksDistance []pyfmt.Float `json:"cooks_distance"`
	Leverage      []pyfmt.Float `json:"leverage"`
	Residuals     []pyfmt.Float `json:"residuals"`
	FittedValues  []pyfmt.Float `json:"fitted_values"`
}

func aeDiagnostics(fit *ols.Results) aeResidualDiagnostics {
	sw := aeStatP{pyfmt.Float(math.NaN()), pyfmt.Float(math.NaN())}
	if len(fit.Resid) >= 3 {
		if w, p, err := stats.ShapiroWilk(fit.Resid); err == nil {
			sw = aeStatP{pyfmt.Float(w), pyfmt.Float(p)}
		}
	}
	lm, p := stats.BreuschPagan(fit.Resid, fit.X())
	return aeResidualDiagnostics{
		ShapiroWilk:   sw,
		DurbinWatson:  pyfmt.Float(stats.DurbinWatson(fit.Resid)),
		BreuschPagan:  aeStatP{pyfmt.Float(lm), pyfmt.Float(p)},
		CooksDistance: pyfmt.Floats(fit.CooksDistance()),
		Leverage:      pyfmt.Floats(fit.Leverage()),
		Residuals:     pyfmt.Floats(fit.Resid),
		FittedValues:  pyfmt.Floats(fit.Fitted),
	}
}

type aeLackOfFit struct {
	SSLOF       pyfmt.Float `json:"ss_lack_of_fit"`
	DFLOF       int         `json:"df_lack_of_fit"`
	MSLOF       pyfmt.Float `json:"ms_lack_of_fit"`
	SSPE        pyfmt.Float `json:"ss_pure_error"`
	DFPE        int         `json:"df_pure_error"`
	MSPE        pyfmt.Float `json:"ms_pure_error"`
	F           pyfmt.Float `json:"f_statistic"`
	P           pyfmt.Float `json:"p_value"`
	Significant bool        `json:"significant"`
}

// lackOfFit splits the residual sum of squares into pure error (from runs
// with identical factor settings, groups in order of first appearance) and
// lack of fit, the seed's _run_lack_of_fit.
func (c *aeCall) lackOfFit(fit *ols.Results) any {
	y := c.data[c.in.ResponseColumn]
	var order []string
	groups := map[string][]int{}
	for i := range y {
		k := c.settingKey(i)
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	var ssPE float64
	dfPE := 0
	for _, k := range order {
		g := groups[k]
		if len(g) < 2 {
			continue
		}
		var mean float64
		for _, i := range g {
			mean += y[i]
		}
		mean /= float64(len(g))
		for _, i := range g {
			d := y[i] - mean
			ssPE += d * d
		}
		dfPE += len(g) - 1
	}
	if dfPE == 0 {
		return aeError{"No replicated points — cannot test lack of fit."}
	}
	var ssRes float64
	for _, e := range fit.Resid {
		ssRes += e * e
	}
	ssLOF := ssRes - ssPE
	dfLOF := fit.DfResid - dfPE
	if dfLOF <= 0 || !(ssPE > 0) {
		return aeError{"Insufficient degrees of freedom for lack-of-fit test."}
	}
	msLOF := ssLOF / float64(dfLOF)
	msPE := ssPE / float64(dfPE)
	f := msLOF / msPE
	p := stats.FSurvival(f, float64(dfLOF), float64(dfPE))
	return aeLackOfFit{pyfmt.Float(ssLOF), dfLOF, pyfmt.Float(msLOF), pyfmt.Float(ssPE), dfPE, pyfmt.Float(msPE),
		pyfmt.Float(f), pyfmt.Float(p), p < 0.05}
}

// settingKey identifies the factor settings of run i (0 and −0 alike).
func (c *aeCall) settingKey(i int) string {
	b := make([]byte, 0, 8*len(c.factors))
	for _, f := range c.factors {
		v := c.data[f][i] + 0 // −0 + 0 = +0
		b = append(b, []byte(pyfmt.Repr(v))...)
		b = append(b, '|')
	}
	return string(b)
}

type aeCurvature struct {
	CenterMean    pyfmt.Float `json:"center_point_mean"`
	FactorialMean pyfmt.Float `json:"factorial_point_mean"`
	Difference    pyfmt.Float `json:"difference"`
	T             pyfmt.Float `json:"t_statistic"`
	P             pyfmt.Float `json:"p_value"`
	Significant   bool        `json:"significant"`
	NCenter       int         `json:"n_center_points"`
	NFactorial    int         `json:"n_factorial_points"`
}

// curvature compares the centre runs (every factor 0) with the factorial
// runs (every factor ±1), the seed's _run_curvature_test.
func (c *aeCall) curvature(fit *ols.Results) any {
	y := c.data[c.in.ResponseColumn]
	var sumC, sumF float64
	nc, nf := 0, 0
	for i, v := range y {
		center, factorial := true, true
		for _, f := range c.factors {
			x := c.data[f][i]
			center = center && x == 0
			factorial = factorial && math.Abs(x) == 1
		}
		if center {
			sumC += v
			nc++
		}
		if factorial {
			sumF += v
			nf++
		}
	}
	if nc == 0 {
		return aeError{"No center points in design."}
	}
	if nf == 0 {
		return aeError{"No factorial points found."}
	}
	mc, mf := sumC/float64(nc), sumF/float64(nf)
	d := mc - mf
	se := math.Sqrt(fit.Scale * (1/float64(nc) + 1/float64(nf)))
	t := 0.0
	if se > 0 && !math.IsInf(se, 1) { // a saturated fit has no error variance: t = 0 as in the seed
		t = d / se
	}
	p := 2 * stats.TSurvival(math.Abs(t), float64(fit.DfResid))
	return aeCurvature{pyfmt.Float(mc), pyfmt.Float(mf), pyfmt.Float(d), pyfmt.Float(t), pyfmt.Float(p), p < 0.05, nc, nf}
}

type aeBoxCoxResult struct {
	Lambda         pyfmt.Float   `json:"lambda"`
	Transformed    []pyfmt.Float `json:"transformed_values"`
	Recommendation string        `json:"recommendation"`
}

// aeBoxCox is the seed's _run_box_cox on the (transformed) response.
func aeBoxCox(y []float64) (any, error) {
	for _, v := range y {
		if !(v > 0) {
			return aeError{"Box-Cox requires all positive response values."}, nil
		}
	}
	l, err := stats.BoxCoxMLE(y)
	if err != nil {
		if errors.Is(err, stats.ErrBoxCoxConstant) {
			return nil, tool.Errorf("Box-Cox needs response values that are not all equal.")
		}
		return nil, tool.Errorf("Box-Cox: %v", err)
	}
	out := aeBoxCoxResult{Lambda: pyfmt.Float(l), Transformed: make([]pyfmt.Float, len(y))}
	for i, v := range y {
		out.Transformed[i] = pyfmt.Float(stats.BoxCox(v, l))
	}
	switch {
	case math.Abs(l) < 0.05:
		out.Recommendation = "log transform"
	case math.Abs(l-0.5) < 0.05:
		out.Recommendation = "square root"
	case math.Abs(l+1) < 0.05:
		out.Recommendation = "inverse"
	default:
		out.Recommendation = "power transform (lambda=" + pyfmt.Fixed(l, 3) + ")"
	}
	return out, nil
}

type aeLenthEffect struct {
	Term      string      `json:"term"`
	Effect    pyfmt.Float `json:"effect"`
	ActiveME  bool        `json:"active_ME"`
	ActiveSME bool        `json:"active_SME"`
}

type aeLenthResult struct {
	PSE     pyfmt.Float     `json:"PSE"`
	ME      pyfmt.Float     `json:"ME"`
	SME     pyfmt.Float     `json:"SME"`
	Effects []aeLenthEffect `json:"effects"`
}

// aeEffects returns the effects of a two-level fit, 2·coefficient, and
// their terms, for every parameter but the intercept.
func aeEffects(fit *ols.Results) (names []string, effects []float64) {
	for j, n := range fit.Names {
		if n != "Intercept" {
			names = append(names, n)
			effects = append(effects, 2*fit.Params[j])
		}
	}
	return names, effects
}

// aeLenth is the seed's _run_lenth_method over the effects (aeEffects).
func aeLenth(fit *ols.Results) (any, error) {
	names, effects := aeEffects(fit)
	if len(effects) == 0 {
		return nil, tool.Errorf("Lenth's method needs at least one effect besides the intercept")
	}
	l := stats.Lenth(effects)
	out := aeLenthResult{PSE: pyfmt.Float(l.PSE), ME: pyfmt.Float(l.ME), SME: pyfmt.Float(l.SME),
		Effects: make([]aeLenthEffect, len(effects))}
	for i, e := range effects {
		out.Effects[i] = aeLenthEffect{names[i], pyfmt.Float(e), math.Abs(e) > l.ME, math.Abs(e) > l.SME}
	}
	return out, nil
}

type aePrediction struct {
	Predicted pyfmt.Float `json:"predicted"`
	CILow     pyfmt.Float `json:"ci_low"`
	CIHigh    pyfmt.Float `json:"ci_high"`
	PILow     pyfmt.Float `json:"pi_low"`
	PIHigh    pyfmt.Float `json:"pi_high"`
}

type aeConfirmationRow struct {
	Observed  aeNumber    `json:"observed"`
	Predicted pyfmt.Float `json:"predicted"`
	PILow     pyfmt.Float `json:"pi_low"`
	PIHigh    pyfmt.Float `json:"pi_high"`
	Within    bool        `json:"within_PI"`
}

// aeNumber writes an input number back as Python's json module would after
// reading it: an integer literal as written, any other number as a float.
type aeNumber json.Number

// MarshalJSON implements json.Marshaler.
func (n aeNumber) MarshalJSON() ([]byte, error) {
	s := string(n)
	if !strings.ContainsAny(s, ".eE") {
		return []byte(s), nil
	}
	v, err := json.Number(s).Float64()
	if err != nil {
		return nil, err
	}
	return pyfmt.Float(v).MarshalJSON()
}

type aeConfirmation struct {
	Results         []aeConfirmationRow `json:"results"`
	AllWithin       bool                `json:"all_within_PI"`
	ConfidenceLevel pyfmt.Float         `json:"confidence_level"`
}

// predict predicts at new_points with intervals at significance_level.
func (c *aeCall) predict(fit *ols.Results) (*ols.Prediction, error) {
	x, err := c.design.Matrix(c.newRows)
	if err != nil {
		return nil, err
	}
	return fit.Predict(x, c.in.SignificanceLevel)
}
