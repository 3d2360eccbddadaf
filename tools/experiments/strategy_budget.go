package experiments

import "strconv"

// Run-count tables and the budget split of recommend_strategy: the seed's
// experiments/strategy/budget.py (seed-spec §2.3, tool 30).

// strategyBBDRuns is the Box-Behnken run count without centre points, by factor
// count.
var strategyBBDRuns = map[int]int{3: 12, 4: 24, 5: 40, 6: 48, 7: 56}

// strategyCCDFactorialRuns is the factorial part of a central composite design:
// 2^k up to five factors, a half fraction for six and seven.
var strategyCCDFactorialRuns = map[int]int{2: 4, 3: 8, 4: 16, 5: 32, 6: 32, 7: 64}

// pow2 returns 2^k; recommend_strategy caps k at maxStrategyFactors, so it
// cannot overflow.
func strategyPow2(k int) int { return 1 << k }

// strategyPBRuns is the smallest multiple of 4 above k.
func strategyPBRuns(k int) int { return (k + 1 + 3) / 4 * 4 }

// strategyScreeningRuns is the seed's estimate_screening_runs.
func strategyScreeningRuns(k int, design string) int {
	switch design {
	case "plackett_burman":
		return strategyPBRuns(k)
	case "definitive_screening":
		return 2*k + 1
	case "fractional_factorial":
		switch {
		case k <= 4:
			return strategyPow2(k)
		case k <= 7:
			return 16
		case k <= 11:
			return 32
		}
		return 64
	case "full_factorial":
		return strategyPow2(k)
	}
	return strategyPBRuns(k)
}

func strategyCCDFactorial(k int) int {
	if r, ok := strategyCCDFactorialRuns[k]; ok {
		return r
	}
	return strategyPow2(k)
}

// strategyRSMRuns is the seed's estimate_rsm_runs.
func strategyRSMRuns(k int, design string, centre int) int {
	switch design {
	case "box_behnken":
		if base, ok := strategyBBDRuns[k]; ok {
			return base + centre
		}
	case "d_optimal":
		terms := 1 + 2*k + k*(k-1)/2
		return (3*terms + 1) / 2 // ⌈1.5·terms⌉
	}
	return strategyCCDFactorial(k) + 2*k + centre
}

// strategyConfirmationRuns is at least 3.
func strategyConfirmationRuns(minRuns int) int { return max(3, minRuns) }

// strategyWeights are a domain's shares of the budget per stage.
type strategyWeights struct {
	screening, optimization, confirmation float64
}

// strategyAllocation is the seed's allocate_budget result.
type strategyAllocation struct {
	screening, optimization, confirmation int
	warnings                              []string
}

// strategyAllocate is the seed's allocate_budget (the "25-40-55-15" rule).
// budget is nil when the caller gave none.
func strategyAllocate(budget *int, k int, needsScreening, needsRSM bool, screeningDesign, rsmDesign string,
	w strategyWeights, minConfirmation, centre int) strategyAllocation {
	idealScreening := 0
	if needsScreening {
		idealScreening = strategyScreeningRuns(k, screeningDesign)
	}
	kRSM := k
	if needsScreening {
		kRSM = min(k, 3)
	}
	idealRSM := 0
	if needsRSM {
		idealRSM = strategyRSMRuns(kRSM, rsmDesign, centre)
	}
	idealConfirmation := strategyConfirmationRuns(minConfirmation)
	idealTotal := idealScreening + idealRSM + idealConfirmation
	if budget == nil {
		return strategyAllocation{screening: idealScreening, optimization: idealRSM, confirmation: idealConfirmation}
	}
	total := *budget

	minimumFeasible := 3
	if needsScreening {
		minimumFeasible += max(k+1, 4)
	}
	if needsRSM {
		minimumFeasible += 2*kRSM + 3
	}
	tight := total < idealTotal
	veryTight := total < minimumFeasible
	var warnings []string
	if veryTight {
		warnings = append(warnings, "Budget of "+strconv.Itoa(total)+" runs is very tight for "+strconv.Itoa(k)+" factors. "+
			"Minimum feasible is ~"+strconv.Itoa(minimumFeasible)+" runs. "+
			"Consider a single Definitive Screening Design to combine screening and curvature detection.")
	}

	var s, r, c int
	switch {
	case needsScreening && needsRSM:
		c = max(minConfirmation, int(float64(total)*w.confirmation))
		remaining := total - c
		if remaining <= 0 {
			c = minConfirmation
			remaining = total - c
		}
		share := w.screening + w.optimization
		s = max(k+1, int(float64(remaining)*w.screening/share))
		r = remaining - s
		if r < 2*kRSM+3 {
			r = min(2*kRSM+3, remaining)
			s = remaining - r
		}
		if s < k+1 {
			s = k + 1
			r = remaining - s
		}
	case needsScreening:
		s, c = total-minConfirmation, minConfirmation
	case needsRSM:
		r, c = total-minConfirmation, minConfirmation
	default:
		c = total
	}
	s, r, c = max(0, s), max(0, r), max(0, c)
	if tight && !veryTight {
		warnings = append(warnings, "Budget of "+strconv.Itoa(total)+" runs is tight (ideal is "+strconv.Itoa(idealTotal)+"). "+
			"Designs may have reduced power or fewer center points.")
	}
	return strategyAllocation{screening: s, optimization: r, confirmation: c, warnings: warnings}
}
