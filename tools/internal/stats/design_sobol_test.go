package stats

import (
	"slices"
	"testing"
)

// TestSobolMatchesScipy: rows of scipy 1.10.1's
// qmc.Sobol(d=21, scramble=False).random_base2(13) (all 8192 × 21 values
// were compared once; these rows and the sum stand for them).
func TestSobolMatchesScipy(t *testing.T) {
	t.Parallel()
	pts, err := Sobol(21, 13)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 8192 {
		t.Fatalf("%d points", len(pts))
	}
	for _, tc := range []struct {
		i    int
		want []float64
	}{
		{0, make([]float64, 21)},
		{3, []float64{0.25, 0.75, 0.75, 0.75, 0.25, 0.25, 0.75, 0.25, 0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.25, 0.75, 0.25, 0.75, 0.25, 0.75, 0.75}},
		{100, []float64{0.4140625, 0.2578125, 0.7734375, 0.7265625, 0.8828125, 0.7421875, 0.0234375, 0.4765625, 0.6328125, 0.6953125, 0.4609375, 0.6796875, 0.4765625, 0.8515625, 0.3203125, 0.4921875, 0.6796875, 0.7421875, 0.8359375, 0.3359375, 0.7578125}},
		{8191, []float64{0.0001220703125, 0.5333251953125, 0.5015869140625, 0.4688720703125, 0.8536376953125, 0.6202392578125, 0.2752685546875, 0.6959228515625, 0.5963134765625, 0.7567138671875, 0.2872314453125, 0.3052978515625, 0.8438720703125, 0.8751220703125, 0.1427001953125, 0.1783447265625, 0.0728759765625, 0.0504150390625, 0.8580322265625, 0.9471435546875, 0.5858154296875}},
	} {
		if !slices.Equal(pts[tc.i], tc.want) {
			t.Errorf("point %d = %v, want %v", tc.i, pts[tc.i], tc.want)
		}
	}
	sum := 0.0
	for _, p := range pts {
		for _, v := range p {
			sum += v
		}
	}
	if sum != 86005.5 {
		t.Errorf("sum %v, want 86005.5", sum)
	}
}

// TestSobolBalance: in every dimension the first 2^m points are the 2^m
// multiples of 2^−m, once each (the net property of a Sobol sequence).
func TestSobolBalance(t *testing.T) {
	t.Parallel()
	const m = 10
	pts, err := Sobol(SobolMaxDim, m)
	if err != nil {
		t.Fatal(err)
	}
	for j := range SobolMaxDim {
		seen := make([]bool, 1<<m)
		for _, p := range pts {
			k := p[j] * (1 << m)
			if k != float64(int(k)) || seen[int(k)] {
				t.Fatalf("dimension %d: %v repeated or off the grid", j, p[j])
			}
			seen[int(k)] = true
		}
	}
	for _, bad := range [][2]int{{0, 3}, {SobolMaxDim + 1, 3}, {2, -1}, {2, 31}} {
		if _, err := Sobol(bad[0], bad[1]); err == nil {
			t.Errorf("Sobol(%d, %d) accepted", bad[0], bad[1])
		}
	}
}
