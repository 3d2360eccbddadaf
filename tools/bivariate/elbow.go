package bivariate

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/internal/pyfmt"
	"github.com/toolq/toolq/tools/internal/stats"
	"github.com/toolq/toolq/tools/tool"
)

// The seed's find_elbow_point parameters.
const (
	// elbowStart is the number of points in the smallest pair of fits.
	elbowStart = 5
	// elbowSteps is max_iter: the number of fit pairs, hence of
	// intersections. It is odd, so that their median is one of them.
	elbowSteps = 41
	// minElbowPoints is the seed's "more than 10" complete pairs.
	minElbowPoints = 11
)

// MaxElbowPoints is the most entries x and y may each hold. The seed has
// no such cap (only the registry's cell cap, which allows 500,000 pairs),
// but the 82 robust fits cost O(N) per iteration: about 8 s at 500,000
// points against 0.4 s at this cap, which is far beyond any curve whose
// elbow one looks for.
const MaxElbowPoints = 50_000

// parallelSlopes is the seed's threshold for "essentially parallel" lines,
// √ε of float64 (find_line_intersection).
const parallelSlopes = 0x1p-26

func findElbowDef() tool.Def {
	return tool.Def{
		Name:     "find_elbow",
		Example:  `{"x": [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14], "y": [0,1,2,3,4,5,6,7,17,27,37,47,57,67,77]}`,
		Category: Category,
		Description: "Find the elbow (knee) of an x–y curve: where it changes from one roughly straight regime to " +
			"another, as in a scree plot of explained variance against component number, an elbow plot of cluster " +
			"error against cluster count, or a saturation curve. " +
			"Method: the points are sorted by x; for 41 window sizes from 5 points up to about half of them, a robust " +
			"straight line (Huber's M-estimator, t = 1.345, MAD scale, as statsmodels' RLM fits it) is fitted to the " +
			"leftmost and to the rightmost points of that size, and the two lines are intersected (nearly parallel " +
			"lines, slopes within 1.5e-8, give no intersection). The intersection whose x is the median of those x " +
			"values is taken, and the elbow is the data point nearest to it. " +
			"Input: x and y of the same length (numbers, null = missing; a pair with a missing side is dropped; at " +
			"least 11 entries, and more than 10 complete pairs; at most 50000 entries each, refused as input_too_large " +
			"above that). " +
			"Output: elbow_index (the position of the elbow point in the x and y arrays as given), elbow_x and " +
			"elbow_y (its values, as given), and n (the number of entries in x, missing ones included). " +
			"A straight line or a constant y has no elbow: that is an error. " +
			"Example: {\"x\": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], " +
			"\"y\": [40, 25, 15, 8, 5, 3, 2.5, 2.2, 2, 1.8, 1.7, 1.6]}. " +
			"Differences from the original tool: it declared a minimum of 6 points although it needs more than 10, " +
			"it had no size cap, " +
			"and for x not in increasing order (or with missing values) it returned the position among the sorted " +
			"points but read elbow_x and elbow_y at that position of the unsorted input; here elbow_index, elbow_x " +
			"and elbow_y always describe the same input point. Points with equal x keep their input order. Where the " +
			"original gave no answer because no intersection equalled the median exactly, the intersection nearest " +
			"the median is taken.",
		Schema: schema("find_elbow"),
		Check:  checkPairs,
		Run:    runFindElbow,
	}
}

// checkPairs enforces what the schema cannot say about x and y: at most
// MaxElbowPoints entries each (input_too_large, checked first) and equal
// lengths (input_invalid). Run repeats it because it may be called without
// the registry in front of it.
func checkPairs(input json.RawMessage) error {
	lists, err := decodeLiterals(input)
	if err != nil {
		return err
	}
	return lists.check()
}

func (l literals) check() error {
	nx, ny := len(l.X), len(l.Y)
	if longest := max(nx, ny); longest > MaxElbowPoints {
		return errcode.New(errcode.InputTooLarge, "x and y may hold at most %d values each; got %d", MaxElbowPoints, longest).
			With("limit", MaxElbowPoints).With("observed", longest)
	}
	if nx != ny {
		return tool.Invalidf("Vectors x and y must have the same length (x has %d values, y has %d).", nx, ny).
			With("x_length", nx).With("y_length", ny)
	}
	return nil
}

// literals holds x and y as the caller wrote them, so that the elbow's
// coordinates can be echoed in kind: the seed returns the input list's own
// element, an integer for an integer literal.
type literals struct {
	X []json.RawMessage `json:"x"`
	Y []json.RawMessage `json:"y"`
}

func decodeLiterals(input json.RawMessage) (literals, error) {
	var l literals
	if err := json.Unmarshal(input, &l); err != nil {
		return l, tool.Invalidf("cannot decode input: %v", err)
	}
	return l, nil
}

// echo returns the caller's number v (written as lit) in the form Python's
// json.dumps gives the list element the seed returns: integer literals stay
// integers, anything else is a float.
func echo(lit json.RawMessage, v float64) any {
	s := string(lit)
	if s != "" && !strings.ContainsAny(s, ".eE") {
		if strings.Trim(s, "-0") == "" {
			return json.RawMessage("0") // Python's int("-0") is 0
		}
		return json.RawMessage(s)
	}
	return pyfmt.Float(v)
}

func runFindElbow(_ context.Context, input json.RawMessage) (any, error) {
	lits, err := decodeLiterals(input)
	if err != nil {
		return nil, err
	}
	if err := lits.check(); err != nil {
		return nil, err
	}
	var in struct {
		X tool.Vector `json:"x"`
		Y tool.Vector `json:"y"`
	}
	if err := tool.Decode(input, &in); err != nil {
		return nil, err
	}
	x, y := in.X.Values(), in.Y.Values()

	// Complete pairs, sorted by x; ties keep their input order.
	var order []int
	for i := range x {
		if !math.IsNaN(x[i]) && !math.IsNaN(y[i]) {
			order = append(order, i)
		}
	}
	if len(order) < minElbowPoints {
		return nil, tool.Errorf("Requires more than 10 values in the vectors (not including missing data); got %d complete pairs.", len(order)).
			With("n_complete", len(order))
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case x[a] < x[b]:
			return -1
		case x[a] > x[b]:
			return 1
		}
		return 0
	})
	xs, ys := make([]float64, len(order)), make([]float64, len(order))
	for k, i := range order {
		xs[k], ys[k] = x[i], y[i]
	}
	intX, intY, err := elbowIntersections(xs, ys)
	if err != nil {
		return nil, err
	}
	pos, err := elbowPoint(xs, ys, intX, intY)
	if err != nil {
		return nil, err
	}
	i := order[pos]
	return struct {
		ElbowIndex int `json:"elbow_index"`
		ElbowX     any `json:"elbow_x"`
		ElbowY     any `json:"elbow_y"`
		N          int `json:"n"`
	}{i, echo(lits.X[i], x[i]), echo(lits.Y[i], y[i]), len(x)}, nil
}

// elbowIntersections fits the seed's 41 pairs of robust lines to the
// sorted points xs, ys (at least 11) and returns their intersections, NaN
// for essentially parallel pairs. The window sizes are
// 5 + floor(linspace(0, int(N/2 − 5) + 1, 41)), so for small N many repeat;
// each distinct size is fitted once.
func elbowIntersections(xs, ys []float64) (intX, intY []float64, err error) {
	n := len(xs)
	grid := stats.Linspace(0, float64(int(float64(n)/2-elbowStart)+1), elbowSteps)
	type pair struct{ x, y float64 }
	done := map[int]pair{}
	intX, intY = make([]float64, elbowSteps), make([]float64, elbowSteps)
	for k, g := range grid {
		size := elbowStart + int(math.Floor(g))
		p, ok := done[size]
		if !ok {
			left, err := stats.HuberLine(xs[:size], ys[:size])
			if err != nil {
				return nil, nil, tool.Errorf("robust line fit: %v", err)
			}
			right, err := stats.HuberLine(xs[n-size:], ys[n-size:])
			if err != nil {
				return nil, nil, tool.Errorf("robust line fit: %v", err)
			}
			p.x, p.y = intersect(left.Slope, left.Intercept, right.Slope, right.Intercept)
			done[size] = p
		}
		intX[k], intY[k] = p.x, p.y
	}
	return intX, intY, nil
}

// intersect is the seed's find_line_intersection of y = m1·x + b1 and
// y = m2·x + b2: NaN when the slopes differ by less than √ε.
func intersect(m1, b1, m2, b2 float64) (x, y float64) {
	if math.Abs(m1-m2) < parallelSlopes {
		return math.NaN(), math.NaN()
	}
	x = (b2 - b1) / (m1 - m2)
	return x, m1*x + b1
}

// elbowPoint returns the position in xs, ys of the point nearest to the
// median intersection: the intersection whose x is nearest the median of the
// intersections' x values (NaN ones skipped; the first on ties). When that
// median is one of them, as it is whenever an odd number are defined, this
// is the seed's exact-match rule; the seed gave up otherwise (and, through
// a truthiness slip, when the only match was the first intersection).
func elbowPoint(xs, ys, intX, intY []float64) (int, error) {
	midX := stats.NanMedian(intX)
	if math.IsNaN(midX) {
		return 0, tool.Errorf("no elbow: the robust lines fitted to the left and right ends are parallel at every " +
			"window size (a straight line or constant y)")
	}
	best := -1
	for j, v := range intX {
		if !math.IsNaN(v) && (best < 0 || math.Abs(v-midX) < math.Abs(intX[best]-midX)) {
			best = j
		}
	}
	midY := intY[best]
	if math.IsInf(midX, 0) || math.IsInf(midY, 0) || math.IsNaN(midY) {
		return 0, tool.Errorf("no elbow: the median intersection of the fitted lines is not finite")
	}
	pos, bestD := 0, math.Inf(1)
	for j := range xs {
		dx, dy := xs[j]-midX, ys[j]-midY
		if d := math.Sqrt(dx*dx + dy*dy); d < bestD || j == 0 {
			pos, bestD = j, d
		}
	}
	return pos, nil
}
