package stats

import (
	"slices"
	"testing"
)

// The expected values were printed by numpy 1.24.2 (seed-spec §0.3):
// default_rng(seed).bit_generator.random_raw(3), .random(2) and
// .permutation(n).

func TestNumpyGeneratorRaw(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		seed uint64
		raw  []uint64
		f    []float64
	}{
		{0, []uint64{11749869230777074271, 4976686463289251617, 755828109848996024}, []float64{0.6369616873214543, 0.2697867137638703}},
		{42, []uint64{14276969152011380360, 8095878257575067585, 15838336090824644132}, []float64{0.7739560485559633, 0.4388784397520523}},
		// Two 32-bit entropy words.
		{1<<32 + 7, []uint64{14206593023844375757, 2064693230803885548, 3488237491050697490}, []float64{0.7701409510034741, 0.1119272443176843}},
		{1<<64 - 1, []uint64{12544278110101001871, 15593249672699323225, 136562751618339402}, []float64{0.6800266789616931, 0.8453117585624743}},
	} {
		g := NewNumpyGenerator(tc.seed)
		for i, want := range tc.raw {
			if got := g.Uint64(); got != want {
				t.Errorf("seed %d: draw %d = %d, want %d", tc.seed, i, got, want)
			}
		}
		g = NewNumpyGenerator(tc.seed)
		for i, want := range tc.f {
			if got := g.Float64(); got != want {
				t.Errorf("seed %d: random %d = %v, want %v", tc.seed, i, got, want)
			}
		}
	}
}

// TestNumpyPermutation: seed-spec §6.4's run orders (permutation + 1 for
// seed 42) and a few more from numpy.
func TestNumpyPermutation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		seed uint64
		n    int
		want []int // one-based, as run_order
	}{
		{42, 4, []int{4, 3, 2, 1}},
		{42, 7, []int{4, 3, 7, 5, 2, 6, 1}},
		{42, 8, []int{4, 5, 3, 8, 7, 2, 6, 1}},
		{42, 9, []int{4, 1, 8, 3, 5, 7, 2, 6, 9}},
		{42, 11, []int{7, 8, 1, 11, 4, 6, 3, 5, 10, 2, 9}},
		{42, 15, []int{7, 8, 10, 4, 1, 12, 15, 11, 6, 3, 5, 13, 2, 14, 9}},
		{7, 20, []int{4, 9, 13, 14, 15, 17, 11, 16, 2, 7, 1, 8, 5, 19, 6, 20, 18, 3, 10, 12}},
		{1<<40 + 3, 12, []int{3, 5, 11, 10, 7, 6, 4, 8, 12, 1, 9, 2}},
		{42, 1, []int{1}},
	} {
		got := NewNumpyGenerator(tc.seed).Permutation(tc.n)
		for i := range got {
			got[i]++
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("seed %d n %d: %v, want %v", tc.seed, tc.n, got, tc.want)
		}
	}
	// The tail of a long permutation exercises many rejections.
	p := NewNumpyGenerator(42).Permutation(1000)
	if tail := p[995:]; !slices.Equal(tail, []int{548, 609, 961, 973, 648}) {
		t.Errorf("permutation(1000) ends %v", tail)
	}
	if len(NewNumpyGenerator(42).Permutation(0)) != 0 {
		t.Error("permutation(0) is not empty")
	}
}

func TestNumpyInterval(t *testing.T) {
	t.Parallel()
	g := NewNumpyGenerator(3)
	seen := make([]int, 6)
	for range 6000 {
		v := g.Interval(5)
		if v > 5 {
			t.Fatalf("Interval(5) = %d", v)
		}
		seen[v]++
	}
	for v, c := range seen {
		if c < 850 || c > 1150 {
			t.Errorf("value %d drawn %d times of 6000", v, c)
		}
	}
	if g.Interval(0) != 0 {
		t.Error("Interval(0) != 0")
	}
	if v := g.Interval(1 << 40); v > 1<<40 {
		t.Errorf("Interval(2^40) = %d", v)
	}
}
