package experiments

import "slices"

// Mixture designs (the seed's designs_mixture): the values are proportions
// that sum to 1, not coded levels.

// mixtureMatrix returns the seed's choice for k ≥ 2 components: the {k, 2}
// simplex lattice when a budget below 2^k − 1 runs is given, the simplex
// centroid otherwise.
func mixtureMatrix(k int, budget int, hasBudget bool) doeMatrix {
	if hasBudget && budget < 1<<k-1 {
		return simplexLattice2(k)
	}
	return simplexCentroid(k)
}

// simplexLattice2 is the {k, 2} lattice: every point of {0, ½, 1}^k whose
// coordinates sum to 1 (a vertex or the midpoint of an edge), in
// itertools.product order (the first coordinate slowest, 0 < ½ < 1).
func simplexLattice2(k int) doeMatrix {
	var m doeMatrix
	for i := range k {
		row := make([]float64, k)
		row[i] = 1
		m = append(m, row)
		for j := i + 1; j < k; j++ {
			row := make([]float64, k)
			row[i], row[j] = 0.5, 0.5
			m = append(m, row)
		}
	}
	slices.SortFunc(m, func(a, b []float64) int { return slices.Compare(a, b) })
	return m
}

// simplexCentroid is every non-empty subset of the components in equal
// proportions 1/r, by subset size r and then in combinations order: 2^k − 1
// points.
func simplexCentroid(k int) doeMatrix {
	m := make(doeMatrix, 0, 1<<k-1)
	for r := 1; r <= k; r++ {
		p := 1.0 / float64(r)
		doeCombinations(k, r, func(idx []int) bool {
			row := make([]float64, k)
			for _, i := range idx {
				row[i] = p
			}
			m = append(m, row)
			return true
		})
	}
	return m
}
