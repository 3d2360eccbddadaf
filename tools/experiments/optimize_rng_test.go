package experiments

import "testing"

// TestNumpyPCG64 checks the generator against numpy 1.24.2:
// SeedSequence(42).generate_state(4, np.uint64), PCG64(42).state and
// default_rng(42).uniform(-1, 1, size=3) drawn nine times.
func TestNumpyPCG64(t *testing.T) {
	t.Parallel()
	want := []uint64{0x9f1e2e6dcd540ab7, 0xd57873dc79fb94b6, 0x7d282a1b64d420b7, 0x336579714692d5ff}
	for i, v := range seedSequenceState(42, 4) {
		if v != want[i] {
			t.Fatalf("generate_state[%d] = %#x, numpy %#x", i, v, want[i])
		}
	}
	g := newNumpyPCG64(42)
	if g.stateHi != 0xcea44f6798798f2a || g.stateLo != 0xacbc7c9d68860ac8 ||
		g.incHi != 0xfa505436c9a8416e || g.incLo != 0x66caf2e28d25abff {
		t.Fatalf("PCG64(42) state %#x%016x inc %#x%016x", g.stateHi, g.stateLo, g.incHi, g.incLo)
	}
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
