package stats

import "math/bits"

// NumpyGenerator reproduces numpy.random.default_rng(seed) bit for bit for
// the draws the ported tools need: SeedSequence's entropy mixing, the PCG64
// bit generator (128-bit LCG, XSL-RR output) and Generator.permutation.
// Go's math/rand/v2 PCG is a different generator with different seeding,
// so it cannot be used where the seed's output must be reproduced.
//
// The zero value is not usable; call NewNumpyGenerator.
type NumpyGenerator struct {
	hi, lo       uint64 // the 128-bit LCG state
	incHi, incLo uint64 // the 128-bit increment (odd)
	// numpy's PCG64 hands out 32-bit draws from halves of one 64-bit
	// draw, the low half first.
	hasUint32 bool
	uinteger  uint32
}

// SeedSequence constants (numpy/random/bit_generator.pyx).
const (
	ssPoolSize = 4
	ssInitA    = 0x43b0d7e5
	ssMultA    = 0x931e8875
	ssInitB    = 0x8b51f9dd
	ssMultB    = 0x58f38ded
	ssMixMultL = 0xca01f9dd
	ssMixMultR = 0x4973f715
	ssXShift   = 16
)

// The PCG64 multiplier, PCG_DEFAULT_MULTIPLIER_128.
const (
	pcgMultHi = 2549297995355413924
	pcgMultLo = 4865540595714422341
)

// NewNumpyGenerator returns the generator numpy.random.default_rng(seed)
// creates for a non-negative integer seed.
func NewNumpyGenerator(seed uint64) *NumpyGenerator {
	// _int_to_uint32_array: little-endian 32-bit words, [0] for zero.
	entropy := []uint32{uint32(seed)}
	if seed>>32 != 0 {
		entropy = append(entropy, uint32(seed>>32))
	}
	pool := seedSequencePool(entropy)
	// generate_state(4, uint64): eight 32-bit words, read as four
	// little-endian uint64 values.
	var words [8]uint32
	hashConst := uint32(ssInitB)
	for i := range words {
		v := pool[i%ssPoolSize]
		v ^= hashConst
		hashConst *= ssMultB
		v *= hashConst
		v ^= v >> ssXShift
		words[i] = v
	}
	var val [4]uint64
	for i := range val {
		val[i] = uint64(words[2*i]) | uint64(words[2*i+1])<<32
	}
	g := &NumpyGenerator{}
	// pcg64_set_seed: state = (val[0] << 64) | val[1], seq = (val[2] << 64) | val[3];
	// pcg_setseq_128_srandom_r: state 0, inc = seq<<1 | 1, step, state += initstate, step.
	g.incHi = val[2]<<1 | val[3]>>63
	g.incLo = val[3]<<1 | 1
	g.step()
	var carry uint64
	g.lo, carry = bits.Add64(g.lo, val[1], 0)
	g.hi, _ = bits.Add64(g.hi, val[0], carry)
	g.step()
	return g
}

// seedSequencePool is SeedSequence.mix_entropy for an entropy without a
// spawn key.
func seedSequencePool(entropy []uint32) [ssPoolSize]uint32 {
	hashConst := uint32(ssInitA)
	hashmix := func(v uint32) uint32 {
		v ^= hashConst
		hashConst *= ssMultA
		v *= hashConst
		v ^= v >> ssXShift
		return v
	}
	mix := func(x, y uint32) uint32 {
		r := ssMixMultL*x - ssMixMultR*y
		r ^= r >> ssXShift
		return r
	}
	var pool [ssPoolSize]uint32
	for i := range pool {
		if i < len(entropy) {
			pool[i] = hashmix(entropy[i])
		} else {
			pool[i] = hashmix(0)
		}
	}
	for src := range pool {
		for dst := range pool {
			if src != dst {
				pool[dst] = mix(pool[dst], hashmix(pool[src]))
			}
		}
	}
	for src := ssPoolSize; src < len(entropy); src++ {
		for dst := range pool {
			pool[dst] = mix(pool[dst], hashmix(entropy[src]))
		}
	}
	return pool
}

// step advances the LCG: state = state·mult + inc (mod 2^128).
func (g *NumpyGenerator) step() {
	hi, lo := bits.Mul64(g.lo, pcgMultLo)
	hi += g.hi*pcgMultLo + g.lo*pcgMultHi
	var carry uint64
	g.lo, carry = bits.Add64(lo, g.incLo, 0)
	g.hi, _ = bits.Add64(hi, g.incHi, carry)
}

// Uint64 returns the next 64-bit output (pcg64_next64: step, then the
// XSL-RR output of the new state).
func (g *NumpyGenerator) Uint64() uint64 {
	g.step()
	return bits.RotateLeft64(g.hi^g.lo, -int(g.hi>>58))
}

// Uint32 returns the next 32-bit output (pcg64_next32).
func (g *NumpyGenerator) Uint32() uint32 {
	if g.hasUint32 {
		g.hasUint32 = false
		return g.uinteger
	}
	v := g.Uint64()
	g.hasUint32 = true
	g.uinteger = uint32(v >> 32)
	return uint32(v)
}

// Float64 returns a double in [0, 1), as Generator.random() does:
// (next_uint64 >> 11) · 2^−53.
func (g *NumpyGenerator) Float64() float64 {
	return float64(g.Uint64()>>11) * (1.0 / 9007199254740992.0)
}

// Interval returns a uniform integer in [0, max] by numpy's
// random_interval: masked rejection sampling, from 32-bit draws when max
// fits in 32 bits.
func (g *NumpyGenerator) Interval(max uint64) uint64 {
	if max == 0 {
		return 0
	}
	mask := max
	mask |= mask >> 1
	mask |= mask >> 2
	mask |= mask >> 4
	mask |= mask >> 8
	mask |= mask >> 16
	mask |= mask >> 32
	if max <= 0xffffffff {
		for {
			if v := uint64(g.Uint32()) & mask; v <= max {
				return v
			}
		}
	}
	for {
		if v := g.Uint64() & mask; v <= max {
			return v
		}
	}
}

// Permutation returns Generator.permutation(n): numpy.arange(n) shuffled by
// Fisher–Yates from the end, j = random_interval(i) for i = n−1 … 1.
func (g *NumpyGenerator) Permutation(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i >= 1; i-- {
		j := int(g.Interval(uint64(i)))
		p[i], p[j] = p[j], p[i]
	}
	return p
}
