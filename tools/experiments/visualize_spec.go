package experiments

import (
	"math"

	"github.com/toolq/toolq/tools/internal/pydict"
	"github.com/toolq/toolq/tools/internal/pyfmt"
)

// The ChartSpec intermediate representation of visualize_doe: the seed's
// experiments/visualization/spec.py. A plot builder fills a vizChart; the
// Plotly and ECharts adapters (visualize_plotly.go, visualize_echarts.go)
// translate it.

// Mark types (the seed's MarkType).
const (
	vizMarkBar       = "bar"
	vizMarkLine      = "line"
	vizMarkScatter   = "scatter"
	vizMarkContour   = "contour"
	vizMarkHeatmap   = "heatmap"
	vizMarkSurface   = "surface"
	vizMarkText      = "text"
	vizMarkWireframe = "wireframe"
)

// Annotation types (the seed's AnnotationType).
const (
	vizAnnLine      = "reference_line"
	vizAnnThreshold = "significance_threshold"
	vizAnnRegion    = "constraint_region"
	vizAnnBand      = "reference_band"
	vizAnnLabel     = "label"
)

// The seed's colour palettes (visualization/colors.py).
const (
	vizPrimary      = "#2563EB"
	vizPositive     = "#059669"
	vizNegative     = "#DC2626"
	vizNeutral      = "#6B7280"
	vizThresholdME  = "#F59E0B"
	vizThresholdSME = "#DC2626"
	vizGridColour   = "#E5E7EB"
	vizZeroLine     = "#9CA3AF"
	vizCumulative   = "#F97316"
	vizNormalLine   = "#059669"
)

var vizFactorColors = []string{"#2563EB", "#DC2626", "#059669", "#F59E0B", "#7C3AED", "#EC4899", "#14B8A6", "#F97316", "#6366F1", "#84CC16"}

func vizFactorColor(i int) string { return vizFactorColors[i%len(vizFactorColors)] }

// vizScale is a Plotly colour scale: stops in [0, 1] and colours.
type vizScale []struct {
	stop   float64
	colour string
}

var (
	vizSurfaceScale      = vizScale{{0, "#EFF6FF"}, {0.25, "#93C5FD"}, {0.5, "#3B82F6"}, {0.75, "#1D4ED8"}, {1, "#1E3A8A"}}
	vizDesirabilityScale = vizScale{{0, "#DC2626"}, {0.5, "#F59E0B"}, {1, "#059669"}}
)

func (c vizScale) plotly() [][]any {
	out := make([][]any, len(c))
	for i, s := range c {
		out[i] = []any{pyfmt.Float(s.stop), s.colour}
	}
	return out
}

func (c vizScale) colours() []string {
	out := make([]string, len(c))
	for i, s := range c {
		out[i] = s.colour
	}
	return out
}

// vizEncoding maps a row field to an axis.
type vizEncoding struct {
	field, title string
	category     bool
}

// vizStyle holds the seed's LayerSpec.style entries the builders use.
type vizStyle struct {
	colors     []string // per-point or per-bar colours
	size       float64  // marker size; 0 means 8
	symbol     string
	dash       string // solid, dash, dot
	width      float64
	secondaryY bool
	showPoints bool
	lines      bool // wireframe drawn as a line (the cube's edges), not points
	hoverField string

	// Grid layers (contour, heatmap, surface).
	xGrid, yGrid []float64
	zMatrix      [][]float64 // zMatrix[i][j] at (xGrid[j], yGrid[i])
	scale        vizScale
	zMin, zMax   *float64
	lineContours bool // overlay: contour lines only
	nContours    int
}

// vizLayer is one trace (Plotly) or series (ECharts).
type vizLayer struct {
	mark    string
	rows    []pydict.Dict
	x, y, z *vizEncoding
	color   string
	name    string
	opacity float64 // 0 means 1
	style   vizStyle
}

// column returns the values of field in the layer's rows.
func (l *vizLayer) column(field string) []any {
	out := make([]any, len(l.rows))
	for i, r := range l.rows {
		out[i], _ = r.Get(field)
	}
	return out
}

func (l *vizLayer) alpha() float64 {
	if l.opacity == 0 {
		return 1
	}
	return l.opacity
}

// vizAnnotation is a reference line, threshold, band, region or label.
type vizAnnotation struct {
	kind        string
	axis        string // "x" or "y"
	value, end  float64
	label       string
	color, dash string
	width       float64
	xMin, xMax  *float64 // constraint regions
	yMin, yMax  *float64
	fill        string
}

// vizPanel is one subplot.
type vizPanel struct {
	layers                 []*vizLayer
	annotations            []vizAnnotation
	title                  string
	xTitle, yTitle, zTitle string
	secondaryY             bool
	secondaryYTitle        string
	width, height          int
	equalAspect            bool
}

// vizChart is the seed's ChartSpec.
type vizChart struct {
	panels   []*vizPanel
	title    string
	plotType string
	columns  int // grid columns for several panels
}

func vizNewPanel(title, xTitle, yTitle string) *vizPanel {
	return &vizPanel{title: title, xTitle: xTitle, yTitle: yTitle, width: 700, height: 500}
}

// vizRow builds a data row from alternating keys and values.
func vizRow(kv ...any) pydict.Dict {
	o := make(pydict.Dict, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		v := kv[i+1]
		if x, ok := v.(float64); ok {
			v = pyfmt.Float(x)
		}
		o = append(o, pydict.Item{kv[i].(string), v})
	}
	return o
}

func vizFloatMatrix(m [][]float64) [][]pyfmt.Float {
	out := make([][]pyfmt.Float, len(m))
	for i, r := range m {
		out[i] = pyfmt.Floats(r)
	}
	return out
}

// dataDict is the seed's ChartSpec.to_data_dict: per panel, per layer,
// the mark, the rows and the name. Grid layers, whose rows are empty in
// the seed, also carry x_grid, y_grid and z_matrix here.
func (c *vizChart) dataDict() pydict.Dict {
	panels := make([]pydict.Dict, len(c.panels))
	for i, p := range c.panels {
		layers := make([]pydict.Dict, len(p.layers))
		for j, l := range p.layers {
			rows := l.rows
			if rows == nil {
				rows = []pydict.Dict{}
			}
			o := pydict.Dict{{"mark", l.mark}, {"data", rows}, {"name", l.name}}
			if l.style.zMatrix != nil {
				o = append(o, pydict.Item{"x_grid", pyfmt.Floats(l.style.xGrid)}, pydict.Item{"y_grid", pyfmt.Floats(l.style.yGrid)},
					pydict.Item{"z_matrix", vizFloatMatrix(l.style.zMatrix)})
			}
			layers[j] = o
		}
		panels[i] = pydict.Dict{{"title", p.title}, {"layers", layers}}
	}
	return pydict.Dict{{"plot_type", c.plotType}, {"title", c.title}, {"panels", panels}}
}

// vizFiniteRange returns the smallest and largest finite values of a matrix.
func vizFiniteRange(m [][]float64) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, r := range m {
		for _, v := range r {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				lo, hi = min(lo, v), max(hi, v)
				ok = true
			}
		}
	}
	return lo, hi, ok
}
