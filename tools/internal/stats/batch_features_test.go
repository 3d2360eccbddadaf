package stats

import (
	"math"
	"testing"
)

func TestMeanAbsDeviation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		x    []float64
		want float64
	}{
		{[]float64{1, 2, 3, 4}, 1},                     // mean 2.5: 1.5, 0.5, 0.5, 1.5
		{[]float64{1, math.NaN(), 3, 4, 2}, 1},         // NaN skipped
		{[]float64{100, 102.5, 104, 106.5, 108}, 2.44}, // mean 104.2: 4.2, 1.7, 0.2, 2.3, 3.8
		{[]float64{7}, 0},
		{[]float64{math.NaN()}, math.NaN()},
		{nil, math.NaN()},
	} {
		if got := MeanAbsDeviation(tc.x); !near(got, tc.want, 1e-12) {
			t.Errorf("MeanAbsDeviation(%v) = %v, want %v", tc.x, got, tc.want)
		}
	}
}

func TestTrapezoid(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		t, y []float64
		want float64
	}{
		// The seed's batch golden: 100 + 2t + 0.5·[t odd], t = 0…4.
		{[]float64{0, 1, 2, 3, 4}, []float64{100, 102.5, 104, 106.5, 108}, 417},
		// Uneven spacing: exact for a straight line, y = 3t + 1 on [0, 10].
		{[]float64{0, 0.5, 4, 10}, []float64{1, 2.5, 13, 31}, 160},
		// A repeated time adds a zero-width step.
		{[]float64{0, 1, 1, 2}, []float64{0, 2, 4, 4}, 1 + 4},
		{[]float64{3}, []float64{9}, 0},
		{nil, nil, math.NaN()},
	} {
		if got := Trapezoid(tc.t, tc.y); !near(got, tc.want, 1e-12) {
			t.Errorf("Trapezoid(%v, %v) = %v, want %v", tc.t, tc.y, got, tc.want)
		}
	}
}
