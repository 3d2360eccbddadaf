package experiments

import "github.com/toolq/toolq/tools/internal/stats"

// desirabilityStarts returns the seed's ten starting points in [−1, 1]^k:
// the centre, then nine draws of numpy's
// default_rng(42).uniform(−1, 1, size=k), reproduced bit for bit
// (uniform(low, high) is low + (high − low)·random()).
func desirabilityStarts(k int) [][]float64 {
	g := stats.NewNumpyGenerator(42)
	starts := [][]float64{make([]float64, k)}
	for range 9 {
		x := make([]float64, k)
		for i := range x {
			x[i] = -1 + 2*g.Float64()
		}
		starts = append(starts, x)
	}
	return starts
}
