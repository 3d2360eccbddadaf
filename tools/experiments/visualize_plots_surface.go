package experiments

import (
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/toolq/toolq/tools/internal/pydict"
	"github.com/toolq/toolq/tools/internal/pyfmt"
	"github.com/toolq/toolq/tools/internal/stats"
	"github.com/toolq/toolq/tools/tool"
)

// Response-surface plots and the cube plot: the seed's plots/surfaces.py
// and plots/cube_plot.py.

// grid evaluates the model over n×n points of the square [−1, 1]² of two
// factors, the others at their hold values (the seed's _compute_grid).
func (v *vizCtx) grid(m *vizModel, fx, fy string, n int) (xs, ys []float64, z [][]float64) {
	xs, ys = stats.Linspace(-1, 1, n), stats.Linspace(-1, 1, n)
	z = make([][]float64, n)
	pt := v.point()
	for i, y := range ys {
		z[i] = make([]float64, n)
		for j, x := range xs {
			pt[fx], pt[fy] = x, y
			z[i][j] = m.predict(pt)
		}
	}
	return xs, ys, z
}

// twoFactors returns the model and the first two factors of a surface
// chart.
func (v *vizCtx) twoFactors(chart string) (*vizModel, string, string, error) {
	m, err := v.model()
	if err != nil {
		return nil, "", "", err
	}
	factors, err := v.modelFactors(m)
	if err != nil {
		return nil, "", "", err
	}
	if len(factors) < 2 {
		return nil, "", "", tool.Invalidf("%s needs at least 2 factors; the model has %d", chart, len(factors))
	}
	return m, factors[0], factors[1], nil
}

func (v *vizCtx) contour() (*vizChart, error) {
	m, fx, fy, err := v.twoFactors("contour")
	if err != nil {
		return nil, err
	}
	xs, ys, z := v.grid(m, fx, fy, 50)
	p := vizNewPanel("Contour Plot: "+fx+" x "+fy, fx, fy)
	p.equalAspect = true
	p.layers = []*vizLayer{{mark: vizMarkContour, x: &vizEncoding{field: "x", title: fx}, y: &vizEncoding{field: "y", title: fy},
		name: "Response", style: vizStyle{xGrid: xs, yGrid: ys, zMatrix: z}}}
	if pts := v.designPoints(fx, fy); pts != nil {
		p.layers = append(p.layers, pts)
	}
	style := func(axis string) vizAnnotation {
		return vizAnnotation{kind: vizAnnLine, axis: axis, value: 0, color: "#111111", dash: "solid", width: 1}
	}
	p.annotations = []vizAnnotation{style("x"), style("y")}
	return &vizChart{panels: []*vizPanel{p}, title: "Contour Plot: " + fx + " x " + fy, plotType: "contour"}, nil
}

// designPoints is the seed's experimental-point overlay: the runs that
// have both factors, replicated locations jittered by up to ±0.02 with
// numpy's default_rng(0), hover text listing every column.
func (v *vizCtx) designPoints(fx, fy string) *vizLayer {
	if v.table == nil {
		return nil
	}
	type run struct {
		i    int
		x, y float64
	}
	var groups [][]run
	index := map[[2]float64]int{}
	for i := range v.table.rows {
		cx, cy := v.table.cell(i, fx), v.table.cell(i, fy)
		if cx.kind != 'n' || cy.kind != 'n' {
			continue
		}
		key := [2]float64{math.Round(cx.num*1e6) / 1e6, math.Round(cy.num*1e6) / 1e6}
		g, ok := index[key]
		if !ok {
			g = len(groups)
			index[key] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], run{i, cx.num, cy.num})
	}
	if groups == nil {
		return nil
	}
	rng := stats.NewNumpyGenerator(0)
	const jitter = 0.02
	uniform := func() float64 { return -jitter + 2*jitter*rng.Float64() }
	response := v.fitResponse()
	var rows []pydict.Dict
	for _, g := range groups {
		for k, r := range g {
			dx, dy := 0.0, 0.0
			if len(g) > 1 {
				dx = uniform()
				dy = uniform()
			}
			rep := ""
			if len(g) > 1 {
				rep = "replicate " + strconv.Itoa(k+1) + " of " + strconv.Itoa(len(g))
			}
			o := vizRow("x", r.x+dx, "y", r.y+dy, "hover", v.hover(r.i, fx, fy, response, rep))
			if c := v.table.cell(r.i, response); response != "" && c.kind == 'n' {
				o = append(o, pydict.Item{"response", pyfmt.Float(c.num)})
			}
			rows = append(rows, o)
		}
	}
	return &vizLayer{mark: vizMarkScatter, rows: rows, x: &vizEncoding{field: "x"}, y: &vizEncoding{field: "y"},
		name: "Experimental runs", color: "#111827", opacity: 0.55,
		style: vizStyle{size: 9, symbol: "circle", hoverField: "hover"}}
}

// hover is the seed's _format_point_hover.
func (v *vizCtx) hover(i int, fx, fy, response, replicate string) string {
	var lines []string
	r := v.table.rows[i]
	format := func(c vizValue) string {
		switch c.kind {
		case 'n':
			return pyfmt.General(c.num, 6)
		case 'b':
			if c.str == "True" {
				return "1"
			}
			return "0"
		case 's':
			if x, err := strconv.ParseFloat(strings.TrimSpace(c.str), 64); err == nil {
				return pyfmt.General(x, 6)
			}
			return c.str
		}
		return "None"
	}
	for _, key := range r.keys {
		if key == response {
			continue
		}
		marker := ""
		if key == fx || key == fy {
			marker = " *"
		}
		lines = append(lines, key+marker+": "+format(r.vals[key]))
	}
	if response != "" {
		if _, ok := r.vals[response]; ok {
			lines = append(lines, response+": "+format(r.vals[response]))
		}
	}
	if replicate != "" {
		lines = append(lines, replicate)
	}
	return strings.Join(lines, "<br>")
}

func (v *vizCtx) surface3D() (*vizChart, error) {
	m, fx, fy, err := v.twoFactors("surface_3d")
	if err != nil {
		return nil, err
	}
	xs, ys, z := v.grid(m, fx, fy, 50)
	p := vizNewPanel("Response Surface: "+fx+" x "+fy, fx, fy)
	p.zTitle = "Response"
	p.layers = []*vizLayer{{mark: vizMarkSurface, x: &vizEncoding{field: "x", title: fx}, y: &vizEncoding{field: "y", title: fy},
		z: &vizEncoding{field: "z", title: "Response"}, name: "Response Surface", style: vizStyle{xGrid: xs, yGrid: ys, zMatrix: z}}}
	return &vizChart{panels: []*vizPanel{p}, title: "Response Surface: " + fx + " x " + fy, plotType: "surface_3d"}, nil
}

// vizQuadRow is the full second-order model row of a point: 1, the
// factors, their pairwise products, their squares (the seed's order).
func vizQuadRow(dst, x []float64) []float64 {
	dst = append(dst[:0], 1)
	dst = append(dst, x...)
	for i := range x {
		for j := i + 1; j < len(x); j++ {
			dst = append(dst, x[i]*x[j])
		}
	}
	for _, xi := range x {
		dst = append(dst, xi*xi)
	}
	return dst
}

// spvModel is the scaled prediction variance n·x'(X'X)⁻¹x of the full
// quadratic model in the design's factors.
type vizSPV struct {
	n     int
	inv   *mat.Dense
	p     int
	buf   []float64
	work  *mat.VecDense
	names []string
}

// newSPV builds the second-order model matrix of the runs with every factor
// present and inverts X'X (the pseudo-inverse when it is singular or badly
// conditioned, as the seed falls back to).
func (v *vizCtx) newSPV(factors []string) (*vizSPV, error) {
	cols := make([][]float64, len(factors))
	for j, name := range factors {
		x, ok := v.table.numeric(name)
		if !ok {
			return nil, tool.Invalidf("factor %q must be numeric (coded)", name)
		}
		cols[j] = x
	}
	var rows [][]float64
	for i := range v.table.rows {
		pt := make([]float64, len(factors))
		ok := true
		for j := range factors {
			pt[j] = cols[j][i]
			ok = ok && !math.IsNaN(pt[j])
		}
		if ok {
			rows = append(rows, vizQuadRow(nil, pt))
		}
	}
	if len(rows) == 0 {
		return nil, tool.Errorf("no run has a value for every factor")
	}
	p := len(rows[0])
	x := mat.NewDense(len(rows), p, nil)
	for i, r := range rows {
		x.SetRow(i, r)
	}
	var xtx mat.SymDense
	xtx.SymOuterK(1, x.T())
	for i := 0; i < p; i++ {
		for j := i; j < p; j++ {
			if v := xtx.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, tool.Errorf("the design values are too large: X'X of the second-order model overflows")
			}
		}
	}
	inv, err := vizPinv(&xtx)
	if err != nil {
		return nil, err
	}
	return &vizSPV{n: len(rows), inv: inv, p: p, work: mat.NewVecDense(p, nil), names: factors}, nil
}

// vizPinv returns the inverse of a symmetric matrix, or its pseudo-inverse
// (singular values below 1e-15·σmax dropped, numpy's pinv) when the
// matrix is singular or its condition number exceeds 1/ε.
func vizPinv(a *mat.SymDense) (*mat.Dense, error) {
	p := a.SymmetricDim()
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDFull) {
		return nil, tool.Errorf("the singular value decomposition of X'X did not converge")
	}
	s := svd.Values(nil)
	var u, vt mat.Dense
	svd.UTo(&u)
	svd.VTo(&vt)
	cut := 1e-15 * s[0]
	out := mat.NewDense(p, p, nil)
	for k, sk := range s {
		if !(sk > cut) {
			continue
		}
		for i := 0; i < p; i++ {
			vik := vt.At(i, k) / sk
			if vik == 0 {
				continue
			}
			for j := 0; j < p; j++ {
				out.Set(i, j, out.At(i, j)+vik*u.At(j, k))
			}
		}
	}
	return out, nil
}

// at returns the scaled prediction variance at a point (one value per
// factor, in order).
func (s *vizSPV) at(pt []float64) float64 {
	s.buf = vizQuadRow(s.buf, pt)
	x := mat.NewVecDense(s.p, s.buf)
	s.work.MulVec(s.inv, x)
	return float64(s.n) * mat.Dot(x, s.work)
}

func (v *vizCtx) predictionVariance() (*vizChart, error) {
	factors := v.designFactors()
	spv, err := v.newSPV(factors)
	if err != nil {
		return nil, err
	}
	fx, fy := factors[0], factors[1]
	xs, ys := stats.Linspace(-1, 1, 40), stats.Linspace(-1, 1, 40)
	pt := make([]float64, len(factors))
	for j, name := range factors {
		pt[j] = v.hold[name]
	}
	z := make([][]float64, len(ys))
	for i, y := range ys {
		z[i] = make([]float64, len(xs))
		for j, x := range xs {
			pt[0], pt[1] = x, y
			z[i][j] = spv.at(pt)
		}
	}
	p := vizNewPanel("Prediction Variance: "+fx+" x "+fy, fx, fy)
	p.layers = []*vizLayer{{mark: vizMarkContour, x: &vizEncoding{field: "x", title: fx}, y: &vizEncoding{field: "y", title: fy},
		name: "SPV", style: vizStyle{xGrid: xs, yGrid: ys, zMatrix: z}}}
	return &vizChart{panels: []*vizPanel{p}, title: "Scaled Prediction Variance: " + fx + " x " + fy, plotType: "prediction_variance"}, nil
}

// vizCubeVertices are itertools.product([-1, 1], repeat=3).
var vizCubeVertices = [8][3]float64{{-1, -1, -1}, {-1, -1, 1}, {-1, 1, -1}, {-1, 1, 1}, {1, -1, -1}, {1, -1, 1}, {1, 1, -1}, {1, 1, 1}}

// vizCubePath visits every edge of the cube (vertices numbered as above)
// in one polyline, three edges twice.
var vizCubePath = []int{0, 4, 6, 2, 0, 1, 5, 7, 3, 1, 5, 4, 6, 7, 3, 2}

func (v *vizCtx) cubePlot() (*vizChart, error) {
	var factors []string
	var values []float64
	if v.hasCoefficients() {
		m := vizModelFromCoefficients(v.analysis.Coefficients)
		var err error
		if factors, err = v.modelFactors(m); err != nil {
			return nil, err
		}
		if len(factors) < 3 {
			return nil, tool.Invalidf("cube_plot needs 3 factors; the model has %d", len(factors))
		}
		for _, c := range vizCubeVertices {
			values = append(values, m.predict(v.point(factors[0], c[0], factors[1], c[1], factors[2], c[2])))
		}
	} else {
		response := v.fitResponse()
		if response == "" {
			return nil, tool.Invalidf("cube_plot from design_data needs response_column (or a column named y)").With("key", "response_column")
		}
		y, err := v.responseValues(response)
		if err != nil {
			return nil, err
		}
		factors = v.dataFactors(response)
		if len(factors) < 3 {
			return nil, tool.Invalidf("cube_plot needs 3 factors; design_data has %d", len(factors))
		}
		for _, name := range factors[:3] {
			if !v.table.has(name) {
				return nil, tool.Invalidf("factor %q is not a column of design_data", name)
			}
		}
		for _, c := range vizCubeVertices {
			var sel []float64
			for i := range v.table.rows {
				match := true
				for k := range 3 {
					cell := v.table.cell(i, factors[k])
					match = match && cell.kind == 'n' && cell.num == c[k]
				}
				if match {
					sel = append(sel, y[i])
				}
			}
			values = append(values, vizMean(sel))
		}
	}
	f1, f2, f3 := factors[0], factors[1], factors[2]
	var vertices, edges []pydict.Dict
	for i, c := range vizCubeVertices {
		vertices = append(vertices, vizRow("x", c[0], "y", c[1], "z", c[2], "text", pyfmt.Fixed(values[i], 2), "value", values[i]))
	}
	for _, k := range vizCubePath {
		c := vizCubeVertices[k]
		edges = append(edges, vizRow("x", c[0], "y", c[1], "z", c[2], "text", ""))
	}
	title := "Cube Plot: " + f1 + " x " + f2 + " x " + f3
	p := vizNewPanel(title, f1, f2)
	p.zTitle = f3
	p.layers = []*vizLayer{
		{mark: vizMarkWireframe, rows: edges, x: &vizEncoding{field: "x"}, y: &vizEncoding{field: "y"}, z: &vizEncoding{field: "z"},
			name: "Edges", color: vizGridColour, style: vizStyle{width: 1, lines: true}},
		{mark: vizMarkWireframe, rows: vertices, x: &vizEncoding{field: "x", title: f1}, y: &vizEncoding{field: "y", title: f2},
			z: &vizEncoding{field: "z", title: f3}, name: "Vertices", color: vizPrimary, style: vizStyle{size: 8}},
	}
	return &vizChart{panels: []*vizPanel{p}, title: title, plotType: "cube_plot"}, nil
}
