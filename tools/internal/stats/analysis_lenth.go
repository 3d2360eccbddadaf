package stats

import (
	"math"
	"slices"
)

// LenthResult is Lenth's (1989) analysis of the effects of an unreplicated
// two-level factorial.
type LenthResult struct {
	// PSE is the pseudo standard error of an effect.
	PSE float64
	// ME is the margin of error: t(0.975, m/3)·PSE, m the number of effects.
	ME float64
	// SME is the simultaneous margin of error: t(1 − 0.025/m, m/3)·PSE.
	SME float64
}

// Lenth returns the pseudo standard error and the two margins of error of the
// effects (the seed's _run_lenth_method):
//
//	s₀  = 1.5 · median |e|
//	PSE = 1.5 · median { |e| : |e| ≤ 2.5·s₀ }   (s₀ when that set is empty)
//
// An effect is active at the individual level when |e| > ME and, controlling
// the experimentwise error, when |e| > SME. The quantiles use m/3 degrees of
// freedom, m = len(effects). Effects must not be NaN; an empty list gives
// NaN throughout.
func Lenth(effects []float64) LenthResult {
	m := len(effects)
	if m == 0 {
		return LenthResult{math.NaN(), math.NaN(), math.NaN()}
	}
	abs := make([]float64, m)
	for i, e := range effects {
		abs[i] = math.Abs(e)
	}
	slices.Sort(abs)
	s0 := 1.5 * MedianSorted(abs)
	trimmed := abs[:0:0]
	for _, a := range abs {
		if a <= 2.5*s0 {
			trimmed = append(trimmed, a)
		}
	}
	pse := s0
	if len(trimmed) > 0 {
		pse = 1.5 * MedianSorted(trimmed)
	}
	df := float64(m) / 3
	return LenthResult{
		PSE: pse,
		ME:  TQuantilePrecise(1-0.025, df) * pse,
		SME: TQuantilePrecise(1-0.025/float64(m), df) * pse,
	}
}
