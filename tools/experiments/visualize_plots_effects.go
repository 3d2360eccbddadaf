package experiments

import (
	"cmp"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/toolq/toolq/tools/internal/pydict"
	"github.com/toolq/toolq/tools/internal/pyfmt"
	"github.com/toolq/toolq/tools/internal/stats"
	"github.com/toolq/toolq/tools/tool"
)

// Significance and factor-effect plots: the seed's plots/significance.py
// and plots/effects.py.

// vizAlpha writes 1 − confidence for a label, rounded so that 0.95 gives
// "0.05".
func vizAlpha(confidence float64) string {
	return pyfmt.Repr(math.Round((1-confidence)*1e10) / 1e10)
}

// vizThreshold is the seed's significance_threshold annotation.
func vizThreshold(value float64, label, colour string) vizAnnotation {
	return vizAnnotation{kind: vizAnnThreshold, axis: "y", value: value, label: label, color: colour, dash: "dash", width: 2}
}

type vizEffect struct {
	name string
	val  float64
}

func (v *vizCtx) effectList() ([]vizEffect, *vizLenth, error) {
	names, vals, lenth, err := v.effects()
	if err != nil {
		return nil, nil, err
	}
	out := make([]vizEffect, len(names))
	for i := range names {
		out[i] = vizEffect{names[i], vals[i]}
	}
	if !v.highlight {
		lenth = nil
	}
	return out, lenth, nil
}

func (v *vizCtx) pareto() (*vizChart, error) {
	effects, lenth, err := v.effectList()
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(effects, func(a, b vizEffect) int { return cmp.Compare(math.Abs(b.val), math.Abs(a.val)) })
	total := 0.0
	for _, e := range effects {
		total += math.Abs(e.val)
	}
	var bars, cum []pydict.Dict
	var colours []string
	running := 0.0
	for _, e := range effects {
		a := math.Abs(e.val)
		running += a
		pct := 0.0
		if total > 0 {
			pct = 100 * running / total
		}
		bars = append(bars, vizRow("name", e.name, "abs_effect", a))
		cum = append(cum, vizRow("name", e.name, "cum_pct", pct))
		colour := vizPositive
		if e.val < 0 {
			colour = vizNegative
		}
		colours = append(colours, colour)
	}
	p := vizNewPanel("Pareto Chart of Effects", "Effect", "|Effect|")
	p.secondaryY, p.secondaryYTitle = true, "Cumulative %"
	p.layers = []*vizLayer{
		{mark: vizMarkBar, rows: bars, x: &vizEncoding{field: "name", category: true}, y: &vizEncoding{field: "abs_effect", title: "|Effect|"},
			name: "Absolute Effect", style: vizStyle{colors: colours}},
		{mark: vizMarkLine, rows: cum, x: &vizEncoding{field: "name", category: true}, y: &vizEncoding{field: "cum_pct", title: "Cumulative %"},
			name: "Cumulative %", color: vizCumulative, style: vizStyle{secondaryY: true, showPoints: true}},
	}
	if lenth != nil {
		alpha := vizAlpha(v.confidence)
		if !math.IsNaN(lenth.me) {
			p.annotations = append(p.annotations, vizThreshold(lenth.me, "ME (α="+alpha+")", vizThresholdME))
		}
		if !math.IsNaN(lenth.sme) {
			p.annotations = append(p.annotations, vizThreshold(lenth.sme, "SME (α="+alpha+")", vizThresholdSME))
		}
	}
	return &vizChart{panels: []*vizPanel{p}, title: "Pareto Chart of Effects", plotType: "pareto"}, nil
}

// vizNormalQuantile is scipy's norm.ppf.
func vizNormalQuantile(p float64) float64 { return distuv.UnitNormal.Quantile(p) }

func (v *vizCtx) halfNormal() (*vizChart, error) {
	effects, lenth, err := v.effectList()
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(effects, func(a, b vizEffect) int { return cmp.Compare(math.Abs(a.val), math.Abs(b.val)) })
	n := len(effects)
	q := make([]float64, n)
	for i := range q {
		// halfnorm.ppf(p) = norm.ppf((1 + p)/2), p = (i + 0.5)/n.
		q[i] = vizNormalQuantile((1 + (float64(i)+0.5)/float64(n)) / 2)
	}
	significant := func(name string) bool { return lenth != nil && lenth.active[name] }
	var points, labels []pydict.Dict
	var colours []string
	var nsQ, nsV []float64
	for i, e := range effects {
		a := math.Abs(e.val)
		points = append(points, vizRow("quantile", q[i], "abs_effect", a, "name", e.name))
		colour := vizPrimary
		if significant(e.name) {
			colour = vizNegative
			labels = append(labels, vizRow("quantile", q[i], "abs_effect", a, "text", e.name))
		} else {
			nsQ, nsV = append(nsQ, q[i]), append(nsV, a)
		}
		colours = append(colours, colour)
	}
	last := math.Abs(effects[n-1].val)
	lineQ, lineV := []float64{0, 1}, []float64{0, last}
	if n > 1 {
		lineQ = []float64{0, q[n-1] * 1.1}
		lineV = []float64{0, last}
		if len(nsQ) >= 2 {
			slope := 0.0
			if nsQ[len(nsQ)-1] != nsQ[0] {
				slope = (nsV[len(nsV)-1] - nsV[0]) / (nsQ[len(nsQ)-1] - nsQ[0])
			}
			intercept := nsV[0] - slope*nsQ[0]
			lineV = []float64{intercept, intercept + slope*lineQ[1]}
		}
	}
	p := vizNewPanel("Half-Normal Plot of Effects", "Half-Normal Quantile", "|Effect|")
	p.layers = []*vizLayer{
		{mark: vizMarkScatter, rows: points, x: &vizEncoding{field: "quantile", title: "Half-Normal Quantile"},
			y: &vizEncoding{field: "abs_effect", title: "|Effect|"}, name: "Effects", style: vizStyle{colors: colours, size: 10}},
		{mark: vizMarkLine, rows: []pydict.Dict{vizRow("quantile", lineQ[0], "abs_effect", lineV[0]), vizRow("quantile", lineQ[1], "abs_effect", lineV[1])},
			x: &vizEncoding{field: "quantile"}, y: &vizEncoding{field: "abs_effect"}, name: "Reference", color: vizZeroLine,
			style: vizStyle{dash: "dash"}},
		{mark: vizMarkText, rows: labels, x: &vizEncoding{field: "quantile"}, y: &vizEncoding{field: "abs_effect"}, name: "Labels",
			style: vizStyle{size: 11}},
	}
	if lenth != nil && !math.IsNaN(lenth.me) {
		p.annotations = append(p.annotations, vizThreshold(lenth.me, "ME (α="+vizAlpha(v.confidence)+")", vizThresholdME))
	}
	return &vizChart{panels: []*vizPanel{p}, title: "Half-Normal Plot of Effects", plotType: "half_normal"}, nil
}

// vizLinregress is scipy's linregress slope and intercept.
func vizLinregress(x, y []float64) (slope, intercept float64) {
	n := float64(len(x))
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx, my = mx/n, my/n
	var sxx, sxy float64
	for i := range x {
		sxx += (x[i] - mx) * (x[i] - mx)
		sxy += (x[i] - mx) * (y[i] - my)
	}
	if sxx == 0 {
		return 0, my
	}
	slope = sxy / sxx
	return slope, my - slope*mx
}

func (v *vizCtx) daniel() (*vizChart, error) {
	effects, lenth, err := v.effectList()
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(effects, func(a, b vizEffect) int { return cmp.Compare(a.val, b.val) })
	n := len(effects)
	q := make([]float64, n)
	vals := make([]float64, n)
	var points, labels []pydict.Dict
	var colours []string
	for i, e := range effects {
		q[i] = vizNormalQuantile((float64(i) + 0.5) / float64(n))
		vals[i] = e.val
		points = append(points, vizRow("quantile", q[i], "effect", e.val, "name", e.name))
		colour := vizPrimary
		if lenth != nil && lenth.active[e.name] {
			colour = vizNegative
			labels = append(labels, vizRow("quantile", q[i], "effect", e.val, "text", e.name))
		}
		colours = append(colours, colour)
	}
	lineQ, lineV := []float64{-2, 2}, []float64{vals[0], vals[0]}
	if n >= 2 {
		slope, intercept := vizLinregress(q, vals)
		lineQ = []float64{q[0] * 1.1, q[n-1] * 1.1}
		lineV = []float64{intercept + slope*lineQ[0], intercept + slope*lineQ[1]}
	}
	p := vizNewPanel("Daniel Plot (Normal Q-Q of Effects)", "Normal Quantile", "Effect")
	p.layers = []*vizLayer{
		{mark: vizMarkScatter, rows: points, x: &vizEncoding{field: "quantile", title: "Normal Quantile"},
			y: &vizEncoding{field: "effect", title: "Effect"}, name: "Effects", style: vizStyle{colors: colours, size: 10}},
		{mark: vizMarkLine, rows: []pydict.Dict{vizRow("quantile", lineQ[0], "effect", lineV[0]), vizRow("quantile", lineQ[1], "effect", lineV[1])},
			x: &vizEncoding{field: "quantile"}, y: &vizEncoding{field: "effect"}, name: "Reference Line", color: vizZeroLine,
			style: vizStyle{dash: "dash"}},
		{mark: vizMarkText, rows: labels, x: &vizEncoding{field: "quantile"}, y: &vizEncoding{field: "effect"}, name: "Labels",
			style: vizStyle{size: 11}},
	}
	return &vizChart{panels: []*vizPanel{p}, title: "Daniel Plot (Normal Q-Q of Effects)", plotType: "daniel"}, nil
}

// responseValues returns the data response as numbers.
func (v *vizCtx) responseValues(response string) ([]float64, error) {
	y, ok := v.table.numeric(response)
	if !ok {
		return nil, tool.Invalidf("the response %q must be numeric", response).With("key", "design_data")
	}
	return y, nil
}

// levelMeans returns the mean response of the runs where col has each
// level (pandas: df[df[col] == lv][response].mean()), in one pass over the
// runs.
func (v *vizCtx) levelMeans(y []float64, col string, levels []vizLevel) []float64 {
	index := make(map[string]int, len(levels))
	for j, lv := range levels {
		index[lv.key()] = j
	}
	sums := make([]float64, len(levels))
	used := make([]int, len(levels))
	for i := range v.table.rows {
		c := v.table.cell(i, col)
		if c.kind == 0 {
			continue
		}
		j, ok := index[c.key()]
		if !ok {
			continue
		}
		if !math.IsNaN(y[i]) {
			sums[j] += y[i]
			used[j]++
		}
	}
	means := make([]float64, len(levels))
	for j := range means {
		means[j] = math.NaN()
		if used[j] > 0 {
			means[j] = sums[j] / float64(used[j])
		}
	}
	return means
}

func (v *vizCtx) mainEffects() (*vizChart, error) {
	response := v.dataResponse()
	y, err := v.responseValues(response)
	if err != nil {
		return nil, err
	}
	yTitle := "Mean " + response
	p := vizNewPanel("Main Effects Plot", "Factor Level", yTitle)
	for i, factor := range v.dataFactors(response) {
		if !v.table.has(factor) {
			continue
		}
		levels, err := v.table.levels(factor)
		if err != nil {
			return nil, err
		}
		means := v.levelMeans(y, factor, levels)
		var rows []pydict.Dict
		for j, lv := range levels {
			rows = append(rows, vizRow("level", lv.label, "mean_response", means[j], "factor", factor))
		}
		p.layers = append(p.layers, &vizLayer{mark: vizMarkLine, rows: rows,
			x: &vizEncoding{field: "level", title: "Factor Level", category: true}, y: &vizEncoding{field: "mean_response", title: yTitle},
			name: factor, color: vizFactorColor(i), style: vizStyle{showPoints: true, width: 2}})
	}
	if len(p.layers) == 0 {
		return nil, tool.Invalidf("none of the factors is a column of design_data")
	}
	gm := vizMean(y)
	p.annotations = []vizAnnotation{{kind: vizAnnLine, axis: "y", value: gm, label: "Grand Mean = " + pyfmt.Fixed(gm, 2),
		color: vizZeroLine, dash: "dot", width: 1}}
	return &vizChart{panels: []*vizPanel{p}, title: "Main Effects Plot", plotType: "main_effects"}, nil
}

func (v *vizCtx) interaction() (*vizChart, error) {
	response := v.dataResponse()
	y, err := v.responseValues(response)
	if err != nil {
		return nil, err
	}
	factors := v.dataFactors(response)
	if len(factors) < 2 {
		return nil, tool.Invalidf("interaction needs two factors")
	}
	a, b := factors[0], factors[1]
	if !v.table.has(a) || !v.table.has(b) {
		return nil, tool.Invalidf("interaction: factors %s, %s are not both columns of design_data", a, b)
	}
	levelsA, err := v.table.levels(a)
	if err != nil {
		return nil, err
	}
	levelsB, err := v.table.levels(b)
	if err != nil {
		return nil, err
	}
	// One pass: the mean response of each (a, b) cell that has runs.
	ia, ib := map[string]int{}, map[string]int{}
	for j, lv := range levelsA {
		ia[lv.key()] = j
	}
	for j, lv := range levelsB {
		ib[lv.key()] = j
	}
	type cellStats struct {
		sum        float64
		used, runs int
	}
	cells := make([]map[int]*cellStats, len(levelsA))
	for i := range v.table.rows {
		ca, cb := v.table.cell(i, a), v.table.cell(i, b)
		if ca.kind == 0 || cb.kind == 0 {
			continue
		}
		ja, jb := ia[ca.key()], ib[cb.key()]
		if cells[ja] == nil {
			cells[ja] = map[int]*cellStats{}
		}
		st := cells[ja][jb]
		if st == nil {
			st = &cellStats{}
			cells[ja][jb] = st
		}
		st.runs++
		if !math.IsNaN(y[i]) {
			st.sum += y[i]
			st.used++
		}
	}
	yTitle := "Mean " + response
	p := vizNewPanel("Interaction: "+a+" x "+b, b, yTitle)
	for i, la := range levelsA {
		var present []int
		for jb := range cells[i] {
			present = append(present, jb)
		}
		slices.Sort(present)
		var rows []pydict.Dict
		for _, jb := range present {
			st := cells[i][jb]
			mean := math.NaN()
			if st.used > 0 {
				mean = st.sum / float64(st.used)
			}
			rows = append(rows, vizRow("level_b", levelsB[jb].label, "mean_response", mean))
		}
		p.layers = append(p.layers, &vizLayer{mark: vizMarkLine, rows: rows,
			x: &vizEncoding{field: "level_b", title: b, category: true}, y: &vizEncoding{field: "mean_response", title: yTitle},
			name: a + " = " + la.label, color: vizFactorColor(i), style: vizStyle{showPoints: true, width: 2}})
	}
	return &vizChart{panels: []*vizPanel{p}, title: "Interaction Plot: " + a + " x " + b, plotType: "interaction"}, nil
}

// point returns hold_values with the given factors set.
func (v *vizCtx) point(kv ...any) map[string]float64 {
	pt := make(map[string]float64, len(v.hold)+len(kv)/2)
	for k, x := range v.hold {
		pt[k] = x
	}
	for i := 0; i+1 < len(kv); i += 2 {
		pt[kv[i].(string)] = kv[i+1].(float64)
	}
	return pt
}

func (v *vizCtx) perturbation() (*vizChart, error) {
	m, err := v.model()
	if err != nil {
		return nil, err
	}
	factors, err := v.modelFactors(m)
	if err != nil {
		return nil, err
	}
	if len(factors) == 0 {
		return nil, tool.Invalidf("perturbation: the model has no factors")
	}
	sweep := stats.Linspace(-1, 1, 50)
	p := vizNewPanel("Perturbation Plot", "Coded Factor Level (Deviation from Centre)", "Predicted Response")
	for i, factor := range factors {
		rows := make([]pydict.Dict, len(sweep))
		for j, x := range sweep {
			rows[j] = vizRow("coded_level", x, "predicted", m.predict(v.point(factor, x)))
		}
		p.layers = append(p.layers, &vizLayer{mark: vizMarkLine, rows: rows,
			x: &vizEncoding{field: "coded_level", title: "Coded Factor Level"}, y: &vizEncoding{field: "predicted", title: "Predicted Response"},
			name: factor, color: vizFactorColor(i), style: vizStyle{width: 2}})
	}
	return &vizChart{panels: []*vizPanel{p}, title: "Perturbation Plot", plotType: "perturbation"}, nil
}
