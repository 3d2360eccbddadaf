package stats

import "fmt"

// sobolBits is the integer precision of the points, as in scipy's
// implementation (points are multiples of 2^−30).
const sobolBits = 30

// sobolDirections holds, for dimensions 2 to 21 of the Sobol sequence, the
// degree s of the primitive polynomial, its coefficients a (the bits between
// the leading and trailing 1, most significant first) and the initial
// direction numbers m_1 … m_s: the first rows of Joe and Kuo's
// new-joe-kuo-6.21201 table, which scipy.stats.qmc.Sobol uses. Dimension 1
// is the van der Corput sequence (every m = 1).
var sobolDirections = []struct {
	s, a uint32
	m    []uint32
}{
	{1, 0, []uint32{1}},
	{2, 1, []uint32{1, 3}},
	{3, 1, []uint32{1, 3, 1}},
	{3, 2, []uint32{1, 1, 1}},
	{4, 1, []uint32{1, 1, 3, 3}},
	{4, 4, []uint32{1, 3, 5, 13}},
	{5, 2, []uint32{1, 1, 5, 5, 17}},
	{5, 4, []uint32{1, 1, 5, 5, 5}},
	{5, 7, []uint32{1, 1, 7, 11, 19}},
	{5, 11, []uint32{1, 1, 5, 1, 1}},
	{5, 13, []uint32{1, 1, 1, 3, 11}},
	{5, 14, []uint32{1, 3, 5, 5, 31}},
	{6, 1, []uint32{1, 3, 3, 9, 7, 49}},
	{6, 13, []uint32{1, 1, 1, 15, 21, 21}},
	{6, 16, []uint32{1, 3, 1, 13, 27, 49}},
	{6, 19, []uint32{1, 1, 1, 15, 7, 5}},
	{6, 22, []uint32{1, 3, 1, 15, 13, 25}},
	{6, 25, []uint32{1, 1, 5, 5, 19, 61}},
	{7, 1, []uint32{1, 3, 7, 11, 23, 15, 103}},
	{7, 4, []uint32{1, 3, 7, 13, 13, 15, 69}},
}

// SobolMaxDim is the largest dimension Sobol supports.
var SobolMaxDim = len(sobolDirections) + 1

// Sobol returns the first 2^m points of the unscrambled Sobol sequence in d
// dimensions, in [0, 1)^d, in scipy's order
// (qmc.Sobol(d, scramble=False).random_base2(m)): Gray-code order starting
// from the origin. Unscrambled points are deterministic and include the
// corner 0, unlike the seed's scrambled sequence.
func Sobol(d, m int) ([][]float64, error) {
	if d < 1 || d > SobolMaxDim {
		return nil, fmt.Errorf("sobol: dimension %d outside 1…%d", d, SobolMaxDim)
	}
	if m < 0 || m > sobolBits {
		return nil, fmt.Errorf("sobol: 2^%d points", m)
	}
	v := make([][sobolBits]uint32, d)
	for k := range sobolBits {
		v[0][k] = 1 << (sobolBits - 1 - k)
	}
	for j := 1; j < d; j++ {
		dir := sobolDirections[j-1]
		s := int(dir.s)
		mk := make([]uint32, sobolBits)
		copy(mk, dir.m)
		for k := s; k < sobolBits; k++ {
			x := mk[k-s] ^ mk[k-s]<<s
			for i := 1; i < s; i++ {
				if dir.a>>(s-1-i)&1 == 1 {
					x ^= mk[k-i] << i
				}
			}
			mk[k] = x
		}
		for k := range sobolBits {
			v[j][k] = mk[k] << (sobolBits - 1 - k)
		}
	}
	n := 1 << m
	out := make([][]float64, n)
	x := make([]uint32, d)
	const scale = 1.0 / (1 << sobolBits)
	for i := range n {
		row := make([]float64, d)
		for j := range d {
			row[j] = float64(x[j]) * scale
		}
		out[i] = row
		// Gray code: flip the direction number of the lowest zero bit of i.
		c := 0
		for i>>c&1 == 1 {
			c++
		}
		if c < sobolBits {
			for j := range d {
				x[j] ^= v[j][c]
			}
		}
	}
	return out, nil
}
