package stats

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// seedRepeatedMedian is the seed's repeated_median_slope transcribed as
// literally as Go allows: every pair is visited, NaN slopes are kept and the
// medians are nanmedians computed by sorting. It is the independent
// reference the fast version is checked against.
func seedRepeatedMedian(x, y []float64) float64 {
	var medians []float64
	for i := range x {
		var inner []float64
		for j := range y {
			den := x[j] - x[i]
			if j != i && den != 0 {
				inner = append(inner, (y[j]-y[i])/den)
			}
		}
		medians = append(medians, sortNanMedian(inner))
	}
	return sortNanMedian(medians)
}

// sortNanMedian is numpy.nanmedian by sorting: drop NaN, sort, take the middle
// value or the mean of the two middle values.
func sortNanMedian(v []float64) float64 {
	var s []float64
	for _, e := range v {
		if !math.IsNaN(e) {
			s = append(s, e)
		}
	}
	slices.Sort(s)
	n := len(s)
	switch {
	case n == 0:
		return math.NaN()
	case n%2 == 1:
		return s[n/2]
	default:
		return (s[n/2-1] + s[n/2]) / 2
	}
}

func sameFloat(a, b float64) bool {
	return a == b || (math.IsNaN(a) && math.IsNaN(b))
}

func TestRepeatedMedianSlopeSeedGoldens(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		x, y []float64
		want float64
	}{
		// test_regression.py: the hand-worked example and the division by
		// zero case (seed-spec §6.3).
		{"hand worked", []float64{0, 1, 2, 3}, []float64{5, 1, 6, 72}, 5.0},
		{"division by zero", []float64{2, 2, 3, 4}, []float64{0, 1, 2, 3}, 1.0},
		{"constant x", []float64{4, 4, 4, 4, 4}, []float64{1, 2, 3, 4, 5}, math.NaN()},
		{"missing values skipped", []float64{0, math.NaN(), 1, 2, 3, 7}, []float64{5, 9, 1, 6, 72, math.NaN()}, 5.0},
		{"all missing", []float64{math.NaN(), math.NaN(), math.NaN()}, []float64{1, 2, 3}, math.NaN()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := RepeatedMedianSlope(tc.x, tc.y)
			if err != nil {
				t.Fatalf("RepeatedMedianSlope: %v", err)
			}
			if !sameFloat(got, tc.want) {
				t.Fatalf("RepeatedMedianSlope = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRepeatedMedianSlopeErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		x, y []float64
		want error
	}{
		{"length mismatch", []float64{1, 2, 3}, []float64{1, 2}, ErrLengthMismatch},
		{"two points", []float64{1, 2}, []float64{1, 2}, ErrTooFewPoints},
		{"empty", nil, nil, ErrTooFewPoints},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := RepeatedMedianSlope(tc.x, tc.y)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if !math.IsNaN(got) {
				t.Fatalf("slope %v with an error, want NaN", got)
			}
		})
	}
}

// TestRepeatedMedianSlopeMatchesSeed compares the selection-based version
// with the literal transcription, bit for bit, on data with ties in x and
// y, missing values and sizes on both sides of the selection cut-over.
func TestRepeatedMedianSlopeMatchesSeed(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 300 {
		n := 3 + rng.IntN(120)
		x, y := make([]float64, n), make([]float64, n)
		for i := range n {
			switch trial % 3 {
			case 0: // continuous
				x[i], y[i] = rng.NormFloat64()*10, rng.NormFloat64()*5+x[i]
			case 1: // heavy ties
				x[i], y[i] = float64(rng.IntN(6)), float64(rng.IntN(4))
			default: // mixed, with missing values
				x[i], y[i] = float64(rng.IntN(30))/7, rng.ExpFloat64()
				if rng.IntN(8) == 0 {
					x[i] = math.NaN()
				}
				if rng.IntN(8) == 0 {
					y[i] = math.NaN()
				}
			}
		}
		want := seedRepeatedMedian(x, y)
		got, err := RepeatedMedianSlope(x, y)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		if !sameFloat(got, want) {
			t.Fatalf("trial %d (n=%d): slope %v, seed transcription %v", trial, n, got, want)
		}
	}
}

// TestRepeatedMedianSlopeBreakdown is the estimator's defining property: on
// points of an exact line it returns that line's slope, and it keeps doing
// so when almost half of the points are replaced by arbitrary outliers. With
// g good points out of n the result is exact when g − 1 > (n − 1)/2: every
// good point then has a majority of exact slopes, and the good points are a
// majority of the outer median. Integer data keep every good slope exact.
func TestRepeatedMedianSlopeBreakdown(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 200 {
		n := 5 + rng.IntN(80)
		a, b := float64(rng.IntN(41)-20), float64(rng.IntN(21)-10)
		perm := rng.Perm(4 * n) // distinct integer x
		x, y := make([]float64, n), make([]float64, n)
		for i := range n {
			x[i] = float64(perm[i] - 2*n)
			y[i] = a + b*x[i]
		}
		good := n/2 + 2 // the least g with g − 1 > (n − 1)/2
		if (good-1)*2 <= n-1 {
			t.Fatalf("bad test setup: n=%d good=%d", n, good)
		}
		intercept := RepeatedMedianIntercept(x, y, b)
		for _, i := range rng.Perm(n)[:n-good] {
			y[i] = (rng.Float64() - 0.5) * 1e6
		}
		got, err := RepeatedMedianSlope(x, y)
		if err != nil {
			t.Fatal(err)
		}
		if got != b {
			t.Fatalf("trial %d: n=%d with %d outliers: slope %v, want %v", trial, n, n-good, got, b)
		}
		if intercept != a {
			t.Fatalf("trial %d: intercept of the clean line %v, want %v", trial, intercept, a)
		}
	}
}

func TestRepeatedMedianSlopeDoesNotModifyInput(t *testing.T) {
	t.Parallel()
	x := []float64{3, 1, math.NaN(), 2, 5}
	y := []float64{9, 1, 4, 4, 30}
	xc, yc := slices.Clone(x), slices.Clone(y)
	if _, err := RepeatedMedianSlope(x, y); err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(x, xc, sameFloat) || !slices.EqualFunc(y, yc, sameFloat) {
		t.Fatalf("inputs changed: x %v y %v", x, y)
	}
}

func TestRepeatedMedianIntercept(t *testing.T) {
	t.Parallel()
	x := []float64{0, 1, 2, 3, math.NaN()}
	y := []float64{5, 1, 6, 72, 1}
	// y − 5x = 5, −4, −4, 57 → median (−4 + 5)/2.
	if got := RepeatedMedianIntercept(x, y, 5); got != 0.5 {
		t.Fatalf("intercept %v, want 0.5", got)
	}
	if got := RepeatedMedianIntercept(x, y, math.NaN()); !math.IsNaN(got) {
		t.Fatalf("intercept with a NaN slope %v, want NaN", got)
	}
}

func TestCompletePairs(t *testing.T) {
	t.Parallel()
	xs, ys := CompletePairs([]float64{1, math.NaN(), 3, 4}, []float64{5, 6, math.NaN(), 8})
	if !slices.Equal(xs, []float64{1, 4}) || !slices.Equal(ys, []float64{5, 8}) {
		t.Fatalf("CompletePairs = %v, %v; want [1 4], [5 8]", xs, ys)
	}
}

// TestNthSmallest checks the selection against sorting for every rank, on
// orders that defeat naive pivots, and that the partition invariant holds.
func TestNthSmallest(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	patterns := map[string]func(n int) []float64{
		"random": func(n int) []float64 {
			v := make([]float64, n)
			for i := range v {
				v[i] = rng.NormFloat64()
			}
			return v
		},
		"sorted":   func(n int) []float64 { return seqN(n, func(i int) float64 { return float64(i) }) },
		"reversed": func(n int) []float64 { return seqN(n, func(i int) float64 { return float64(n - i) }) },
		"equal":    func(n int) []float64 { return seqN(n, func(int) float64 { return 7 }) },
		"organ pipe": func(n int) []float64 {
			return seqN(n, func(i int) float64 { return float64(min(i, n-i)) })
		},
		"few values": func(n int) []float64 { return seqN(n, func(int) float64 { return float64(rng.IntN(3)) }) },
		"infinities": func(n int) []float64 {
			return seqN(n, func(i int) float64 { return []float64{math.Inf(-1), 0, math.Inf(1)}[i%3] })
		},
	}
	for name, gen := range patterns {
		for _, n := range []int{1, 2, 16, 17, 64, 257} {
			base := gen(n)
			sorted := slices.Clone(base)
			slices.Sort(sorted)
			for k := range n {
				a := slices.Clone(base)
				if got := nthSmallest(a, k); got != sorted[k] || a[k] != got {
					t.Fatalf("%s n=%d k=%d: got %v (a[k]=%v), want %v", name, n, k, got, a[k], sorted[k])
				}
				for i := range a {
					if (i < k && a[i] > a[k]) || (i > k && a[i] < a[k]) {
						t.Fatalf("%s n=%d k=%d: a[%d]=%v breaks the partition around %v", name, n, k, i, a[i], a[k])
					}
				}
			}
			if got, want := medianSelect(slices.Clone(base)), sortNanMedian(base); !sameFloat(got, want) {
				t.Fatalf("%s n=%d: median %v, want %v", name, n, got, want)
			}
		}
	}
}

func seqN(n int, f func(i int) float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = f(i)
	}
	return v
}

func BenchmarkRepeatedMedianSlopeAtCap(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	x, y := make([]float64, MaxRegressionPoints), make([]float64, MaxRegressionPoints)
	for i := range x {
		x[i] = rng.Float64() * 100
		y[i] = 3*x[i] + rng.NormFloat64()
	}
	for b.Loop() {
		if _, err := RepeatedMedianSlope(x, y); err != nil {
			b.Fatal(err)
		}
	}
}
