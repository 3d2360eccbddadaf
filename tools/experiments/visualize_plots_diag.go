package experiments

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/toolq/toolq/tools/internal/pydict"
	"github.com/toolq/toolq/tools/internal/pyfmt"
	"github.com/toolq/toolq/tools/internal/stats"
	"github.com/toolq/toolq/tools/tool"
)

// Residual diagnostics and the Box–Cox plot: the seed's
// plots/diagnostics.py.

const (
	vizResidualColour  = "#2563EB"
	vizReferenceColour = "#9CA3AF"
)

func vizZeroRef() vizAnnotation {
	return vizAnnotation{kind: vizAnnLine, axis: "y", value: 0, color: vizReferenceColour, dash: "dash", width: 1}
}

func (v *vizCtx) residualsVsFitted() (*vizChart, error) {
	resid, fitted, err := v.residuals()
	if err != nil {
		return nil, err
	}
	rows := make([]pydict.Dict, len(resid))
	for i := range resid {
		rows[i] = vizRow("fitted", fitted[i], "residual", resid[i])
	}
	p := vizNewPanel("Residuals vs Fitted Values", "Fitted Values", "Residuals")
	p.layers = []*vizLayer{{mark: vizMarkScatter, rows: rows, x: &vizEncoding{field: "fitted", title: "Fitted Values"},
		y: &vizEncoding{field: "residual", title: "Residuals"}, name: "Residuals", color: vizResidualColour, style: vizStyle{size: 8}}}
	p.annotations = []vizAnnotation{vizZeroRef()}
	return &vizChart{panels: []*vizPanel{p}, title: "Residuals vs Fitted Values", plotType: "residuals_vs_fitted"}, nil
}

// vizOrderStatisticMedians is scipy's _calc_uniform_order_statistic_medians
// (Filliben's estimate).
func vizOrderStatisticMedians(n int) []float64 {
	v := make([]float64, n)
	last := math.Pow(0.5, 1/float64(n))
	for i := 1; i < n-1; i++ {
		v[i] = (float64(i+1) - 0.3175) / (float64(n) + 0.365)
	}
	v[n-1] = last
	v[0] = 1 - last
	return v
}

func (v *vizCtx) normalProbability() (*vizChart, error) {
	resid, _, err := v.residuals()
	if err != nil {
		return nil, err
	}
	n := len(resid)
	ordered := slices.Clone(resid)
	slices.Sort(ordered)
	theoretical := vizOrderStatisticMedians(n)
	for i, p := range theoretical {
		theoretical[i] = vizNormalQuantile(p)
	}
	slope, intercept := vizLinregress(theoretical, ordered)
	rows := make([]pydict.Dict, n)
	for i := range rows {
		rows[i] = vizRow("theoretical", theoretical[i], "ordered", ordered[i])
	}
	tMin, tMax := slices.Min(theoretical), slices.Max(theoretical)
	p := vizNewPanel("Normal Probability Plot", "Theoretical Quantiles", "Ordered Residuals")
	p.layers = []*vizLayer{
		{mark: vizMarkScatter, rows: rows, x: &vizEncoding{field: "theoretical", title: "Theoretical Quantiles"},
			y: &vizEncoding{field: "ordered", title: "Ordered Residuals"}, name: "Residuals", color: vizResidualColour, style: vizStyle{size: 8}},
		{mark: vizMarkLine, rows: []pydict.Dict{vizRow("theoretical", tMin, "ordered", intercept+slope*tMin), vizRow("theoretical", tMax, "ordered", intercept+slope*tMax)},
			x: &vizEncoding{field: "theoretical"}, y: &vizEncoding{field: "ordered"}, name: "Reference Line", color: vizNormalLine,
			style: vizStyle{dash: "dash"}},
	}
	return &vizChart{panels: []*vizPanel{p}, title: "Normal Probability Plot", plotType: "normal_probability"}, nil
}

func (v *vizCtx) residualsVsOrder() (*vizChart, error) {
	var rows []pydict.Dict
	if v.hasResiduals() {
		// Run order is the position in the list as given; missing
		// residuals are skipped without renumbering.
		for i, r := range v.analysis.ResidualDiagnostics.Residuals {
			if x := float64(r); !math.IsNaN(x) && !math.IsInf(x, 0) {
				rows = append(rows, vizRow("run_order", i+1, "residual", x))
			}
		}
		if len(rows) == 0 {
			return nil, tool.Errorf("residual_diagnostics.residuals has no value")
		}
	} else {
		resid, _, err := v.residuals()
		if err != nil {
			return nil, err
		}
		for i, r := range resid {
			rows = append(rows, vizRow("run_order", i+1, "residual", r))
		}
	}
	p := vizNewPanel("Residuals vs Run Order", "Run Order", "Residuals")
	p.layers = []*vizLayer{
		{mark: vizMarkLine, rows: rows, x: &vizEncoding{field: "run_order"}, y: &vizEncoding{field: "residual"}, name: "Trend",
			color: vizResidualColour, opacity: 0.4, style: vizStyle{width: 1}},
		{mark: vizMarkScatter, rows: rows, x: &vizEncoding{field: "run_order", title: "Run Order"},
			y: &vizEncoding{field: "residual", title: "Residuals"}, name: "Residuals", color: vizResidualColour, style: vizStyle{size: 8}},
	}
	p.annotations = []vizAnnotation{vizZeroRef()}
	return &vizChart{panels: []*vizPanel{p}, title: "Residuals vs Run Order", plotType: "residuals_vs_order"}, nil
}

// boxCoxResponse is the seed's _get_response_values: the response column
// of design_data, else fitted values plus residuals.
func (v *vizCtx) boxCoxResponse() ([]float64, error) {
	if v.table != nil && v.fitResponse() != "" {
		y, err := v.responseValues(v.fitResponse())
		if err != nil {
			return nil, err
		}
		return slices.DeleteFunc(y, math.IsNaN), nil
	}
	resid, fitted, err := v.residuals()
	if err != nil {
		return nil, err
	}
	y := make([]float64, len(resid))
	for i := range y {
		y[i] = fitted[i] + resid[i]
	}
	return y, nil
}

func (v *vizCtx) boxCox() (*vizChart, error) {
	y, err := v.boxCoxResponse()
	if err != nil {
		return nil, err
	}
	if len(y) < 3 {
		return nil, tool.Errorf("the Box-Cox plot needs at least 3 response values, not %d", len(y))
	}
	sumLog := 0.0
	for _, x := range y {
		if !(x > 0) || math.IsInf(x, 0) {
			return nil, tool.Errorf("the Box-Cox plot requires all response values to be positive and finite")
		}
		sumLog += math.Log(x)
	}
	if slices.Min(y) == slices.Max(y) {
		return nil, tool.Errorf("the response is constant; it has no Box-Cox transformation")
	}
	n := float64(len(y))
	lambdas := stats.Linspace(-3, 3, 200)
	ll := make([]float64, len(lambdas))
	best := -1
	yt := make([]float64, len(y))
	for k, lam := range lambdas {
		mean := 0.0
		for i, x := range y {
			if math.Abs(lam) < 1e-10 {
				yt[i] = math.Log(x)
			} else {
				yt[i] = (math.Pow(x, lam) - 1) / lam
			}
			mean += yt[i]
		}
		mean /= n
		ss := 0.0
		for _, t := range yt {
			ss += (t - mean) * (t - mean)
		}
		ll[k] = -n/2*math.Log(ss/n) + (lam-1)*sumLog
		if !math.IsNaN(ll[k]) && !math.IsInf(ll[k], 0) && (best < 0 || ll[k] > ll[best]) {
			best = k
		}
	}
	if best < 0 {
		return nil, tool.Errorf("the Box-Cox log-likelihood is not finite for any λ from -3 to 3")
	}
	bestLam, bestLL := lambdas[best], ll[best]
	ci := bestLL - distuv.ChiSquared{K: 1}.Quantile(v.confidence)/2
	rows := make([]pydict.Dict, len(lambdas))
	for k := range lambdas {
		rows[k] = vizRow("lambda", lambdas[k], "log_likelihood", ll[k])
	}
	lamText := pyfmt.Fixed(bestLam, 2)
	p := vizNewPanel("Box-Cox Transformation", "λ (Power Parameter)", "Log-Likelihood")
	p.layers = []*vizLayer{
		{mark: vizMarkLine, rows: rows, x: &vizEncoding{field: "lambda", title: "λ"}, y: &vizEncoding{field: "log_likelihood", title: "Log-Likelihood"},
			name: "Log-Likelihood", color: vizPrimary},
		{mark: vizMarkScatter, rows: []pydict.Dict{vizRow("lambda", bestLam, "log_likelihood", bestLL)}, x: &vizEncoding{field: "lambda"},
			y: &vizEncoding{field: "log_likelihood"}, name: "Optimal λ = " + lamText, color: vizNegative, style: vizStyle{size: 12, symbol: "diamond"}},
	}
	p.annotations = []vizAnnotation{
		{kind: vizAnnLine, axis: "x", value: bestLam, label: "λ = " + lamText, color: vizNegative, dash: "dash", width: 1},
		{kind: vizAnnLine, axis: "y", value: ci, label: pyfmt.Fixed(v.confidence*100, 0) + "% CI", color: vizZeroLine, dash: "dot", width: 1},
	}
	for _, s := range []struct {
		lam   float64
		label string
	}{{-1, "1/y"}, {0, "ln(y)"}, {0.5, "√y"}, {1, "y"}} {
		p.annotations = append(p.annotations, vizAnnotation{kind: vizAnnLine, axis: "x", value: s.lam, label: s.label,
			color: vizGridColour, dash: "dot", width: 1})
	}
	return &vizChart{panels: []*vizPanel{p}, title: "Box-Cox Transformation", plotType: "box_cox"}, nil
}
