package stats

import (
	"math"
	"testing"
)

// The expected values were printed by scipy 1.10.1 (seed-spec §0.3): the
// seed computes power as 1 − ncf.cdf(f.ppf(1 − α, 1, dfd), 1, dfd, λ).

func TestFUpperQuantile(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ alpha, d2, want float64 }{
		{0.05, 4, 7.708647422176786},
		{0.01, 1, 4052.1806954768217},
		{1e-06, 2, 999998.4999714947}, // scipy's rounding of 1 − 1e-6 included
		{0.5, 100, 0.458262714634319},
		{0.9, 7, 0.016976212843706272},
		{0.05, 1000, 3.850774668138058},
	} {
		got := FUpperQuantile(tc.alpha, 1, tc.d2)
		if math.Abs(got-tc.want) > 1e-12*tc.want {
			t.Errorf("F(1, %v) upper %v quantile = %v, want %v", tc.d2, tc.alpha, got, tc.want)
		}
	}
	for _, bad := range [][3]float64{{0, 1, 4}, {1, 1, 4}, {0.05, 0, 4}, {0.05, 1, -1}, {math.NaN(), 1, 4}} {
		if v := FUpperQuantile(bad[0], bad[1], bad[2]); !math.IsNaN(v) {
			t.Errorf("FUpperQuantile%v = %v, want NaN", bad, v)
		}
	}
}

func TestNoncentralFSurvival(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ f, d1, d2, lambda, want float64 }{
		// seed-spec §6.4: 2³ main effects, δ = 2, σ = 1: λ = 32, dfd = 4.
		{7.708647422176786, 1, 4, 32, 0.9836380251711729},
		{0.5, 1, 3, 1, 0.6874852880159124},
		{3, 1, 10, 16, 0.9842949784532157},
		{7.7, 2, 4, 50, 0.9757226867032157},
		{20, 5, 50, 200, 0.9987718500036178},
		{500, 1, 100, 200, 3.190018650900406e-06},
		{0.01, 5, 3, 0.1, 0.9999336502921427},
		{40, 1, 7, 100, 0.9733407134475883},
		{40000, 1, 7, 1e5, 0.9855475843858166},
		{1, 1, 1, 1000, 1},
	} {
		got := NoncentralFSurvival(tc.f, tc.d1, tc.d2, tc.lambda)
		// 1e-15 absolute: scipy's 1 − cdf cancels near 1.
		if math.Abs(got-tc.want) > 1e-10*tc.want+1e-15 {
			t.Errorf("ncf.sf(%v; %v, %v, %v) = %v, want %v", tc.f, tc.d1, tc.d2, tc.lambda, got, tc.want)
		}
	}
	// Central case: P(F(1, 4) > F_0.95) = 0.05.
	if got := NoncentralFSurvival(7.708647422176786, 1, 4, 0); math.Abs(got-0.05) > 1e-12 {
		t.Errorf("central survival %v, want 0.05", got)
	}
	// Survival falls with f and rises with λ.
	prev := 1.0
	for f := 0.25; f < 50; f *= 1.5 {
		s := NoncentralFSurvival(f, 1, 6, 9)
		if s > prev || s < 0 {
			t.Fatalf("survival %v at f=%v after %v", s, f, prev)
		}
		prev = s
	}
	if a, b := NoncentralFSurvival(5, 1, 6, 4), NoncentralFSurvival(5, 1, 6, 8); !(b > a) {
		t.Errorf("survival does not grow with λ: %v, %v", a, b)
	}
	if NoncentralFSurvival(0, 1, 4, 3) != 1 || NoncentralFSurvival(math.Inf(1), 1, 4, 3) != 0 {
		t.Error("survival at 0 or +Inf is not 1 or 0")
	}
	for _, bad := range [][4]float64{{1, 0, 4, 1}, {1, 1, 0, 1}, {1, 1, 4, -1}, {math.NaN(), 1, 4, 1}, {1, 1, 4, math.Inf(1)}, {1, 1, 4, 1e300}} {
		if v := NoncentralFSurvival(bad[0], bad[1], bad[2], bad[3]); !math.IsNaN(v) {
			t.Errorf("NoncentralFSurvival%v = %v, want NaN", bad, v)
		}
	}
}
