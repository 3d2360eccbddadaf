package experiments

import "testing"

// TestDesirabilityStarts checks the starts against numpy 1.24.2:
// default_rng(42).uniform(-1, 1, size=3) drawn nine times.
func TestDesirabilityStarts(t *testing.T) {
	t.Parallel()
	starts := desirabilityStarts(3)
	if len(starts) != 10 {
		t.Fatalf("%d starts, want 10", len(starts))
	}
	checks := map[int][]float64{
		0: {0, 0, 0},
		1: {0.5479120971119267, -0.12224312049589536, 0.7171958398227649},
		2: {0.3947360581187278, -0.8116453042247009, 0.9512447032735118},
		9: {0.5567669941475237, -0.6107225842960649, -0.06655799254593164},
	}
	for i, w := range checks {
		for j := range w {
			if starts[i][j] != w[j] {
				t.Errorf("start %d = %v, numpy %v", i, starts[i], w)
				break
			}
		}
	}
}
