package stats

import (
	"math"
	"testing"
)

// TestEigenSymNumpy compares with numpy 1.24.2 (LAPACK dsyevd), vector signs
// included: the seed reports eigenvectors as numpy returns them.
func TestEigenSymNumpy(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		a       []float64
		values  []float64
		vectors [][]float64 // rows, as numpy prints them
	}{
		// The seed's canonical-analysis golden (seed-spec §6.4): B of
		// 40 + 5.25A − 2B − 3A² − 1.5B² + 1.5AB.
		{"golden", []float64{-3, 0.75, 0.75, -1.5},
			[]float64{-3.3106601717798214, -1.1893398282201786},
			[][]float64{{-0.9238795325112867, -0.3826834323650897}, {0.3826834323650897, -0.9238795325112867}}},
		// gonum's mat.EigenSym negates some of these columns.
		{"3×3", []float64{2.0, -1.5, 0.25, -1.5, -0.5, 0.75, 0.25, 0.75, 1.0},
			[]float64{-1.4540253913624372, 1.246036716765403, 2.7079886745970345},
			[][]float64{{0.39784418352396855, 0.1834960857456695, -0.8989155645288183},
				{0.8652798019335954, 0.2506540543330141, 0.43412372592635445},
				{-0.3049768351890103, 0.9505270809200757, 0.059054199136512414}}},
		{"5×5", []float64{-3, 0.5, 0.2, 0.1, 0, 0.5, -2, 0.3, 0, 0.4, 0.2, 0.3, 1, 0.6, -0.2, 0.1, 0, 0.6, 0.5, 0.7, 0, 0.4, -0.2, 0.7, -1},
			[]float64{-3.2239923243730684, -2.0334223603601784, -1.1314796218565377, 0.42634484131370326, 1.4625494652760818},
			[][]float64{{-0.912383799616204, 0.388203957940678, 0.11484471708403308, -0.01390861228532828, 0.05891290774759128},
				{0.39872962467951467, 0.7860404556833046, 0.46355676121375344, -0.004480000328774075, 0.09083032072048491},
				{0.00533079059451938, -0.1597712181410626, 0.10512376923246902, -0.5766034387227144, 0.7943061173885411},
				{0.039359975377048946, 0.14163281151697213, -0.3821344025973399, 0.6990498595526294, 0.5862538112892225},
				{-0.08362334369533507, -0.4311048522388658, 0.7841225105714262, 0.4226632801816842, 0.11689047337803216}}},
	}
	for _, tc := range cases {
		k := len(tc.values)
		vals, vecs, ok := EigenSymNumpy(tc.a, k)
		if !ok {
			t.Fatalf("%s: not ok", tc.name)
		}
		for i := range vals {
			if math.Abs(vals[i]-tc.values[i]) > 1e-13 {
				t.Errorf("%s: values %v, numpy %v", tc.name, vals, tc.values)
				break
			}
		}
		for i := 0; i < k; i++ {
			for j := 0; j < k; j++ {
				if math.Abs(vecs.At(i, j)-tc.vectors[i][j]) > 1e-12 {
					t.Fatalf("%s: vector[%d][%d] = %v, numpy %v", tc.name, i, j, vecs.At(i, j), tc.vectors[i][j])
				}
			}
		}
	}
	if _, _, ok := EigenSymNumpy([]float64{1, math.NaN(), math.NaN(), 1}, 2); ok {
		t.Error("NaN matrix: ok")
	}
	if v, _, ok := EigenSymNumpy(nil, 0); !ok || len(v) != 0 {
		t.Error("empty matrix")
	}
}
