package experiments

import (
	"math/bits"
)

// The seed starts its desirability search from the centre and from nine
// points drawn with numpy.random.default_rng(42).uniform(−1, 1, size=k).
// This file reproduces those draws bit for bit: numpy's SeedSequence
// (entropy 42, pool of four 32-bit words) seeds a PCG64 generator (128-bit
// LCG, XSL-RR output), and uniform() maps each 64-bit output to
// −1 + 2·(u >> 11)·2⁻⁵³. Go's math/rand/v2 PCG is a different generator with
// different seeding, so it cannot stand in.

// SeedSequence constants (numpy/random/bit_generator.pyx).
const (
	ssInitA    uint32 = 0x43b0d7e5
	ssMultA    uint32 = 0x931e8875
	ssInitB    uint32 = 0x8b51f9dd
	ssMultB    uint32 = 0x58f38ded
	ssMixMultL uint32 = 0xca01f9dd
	ssMixMultR uint32 = 0x4973f715
	ssXShift          = 16
	ssPoolSize        = 4
)

// seedSequenceState returns SeedSequence(entropy).generate_state(n, uint64)
// for an entropy below 2³².
func seedSequenceState(entropy uint32, n int) []uint64 {
	hashConst := ssInitA
	hashmix := func(v uint32) uint32 {
		v ^= hashConst
		hashConst *= ssMultA
		v *= hashConst
		return v ^ v>>ssXShift
	}
	mix := func(x, y uint32) uint32 {
		r := ssMixMultL*x - ssMixMultR*y
		return r ^ r>>ssXShift
	}
	var pool [ssPoolSize]uint32
	for i := range pool {
		if i == 0 {
			pool[i] = hashmix(entropy)
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
	words := make([]uint32, 2*n)
	h := ssInitB
	for i := range words {
		v := pool[i%ssPoolSize]
		v ^= h
		h *= ssMultB
		v *= h
		words[i] = v ^ v>>ssXShift
	}
	out := make([]uint64, n)
	for i := range out {
		out[i] = uint64(words[2*i]) | uint64(words[2*i+1])<<32 // little-endian view
	}
	return out
}

// numpyPCG64 is numpy's PCG64 bit generator: a 128-bit LCG with the XSL-RR
// output function.
type numpyPCG64 struct {
	stateHi, stateLo uint64
	incHi, incLo     uint64
}

const (
	pcgMultHi uint64 = 0x2360ED051FC65DA4
	pcgMultLo uint64 = 0x4385DF649FCCF645
)

// newNumpyPCG64 returns the generator numpy.random.default_rng(seed) uses.
func newNumpyPCG64(seed uint32) *numpyPCG64 {
	v := seedSequenceState(seed, 4)
	g := &numpyPCG64{}
	// pcg_setseq_128_srandom_r(initstate = v[0]:v[1], initseq = v[2]:v[3])
	g.incHi = v[2]<<1 | v[3]>>63
	g.incLo = v[3]<<1 | 1
	g.step()
	var carry uint64
	g.stateLo, carry = bits.Add64(g.stateLo, v[1], 0)
	g.stateHi, _ = bits.Add64(g.stateHi, v[0], carry)
	g.step()
	return g
}

// step advances the LCG: state = state·mult + inc (mod 2¹²⁸).
func (g *numpyPCG64) step() {
	hi, lo := bits.Mul64(g.stateLo, pcgMultLo)
	hi += g.stateHi*pcgMultLo + g.stateLo*pcgMultHi
	var carry uint64
	g.stateLo, carry = bits.Add64(lo, g.incLo, 0)
	g.stateHi, _ = bits.Add64(hi, g.incHi, carry)
}

// uint64 returns the next output.
func (g *numpyPCG64) uint64() uint64 {
	g.step()
	return bits.RotateLeft64(g.stateHi^g.stateLo, -int(g.stateHi>>58))
}

// uniform returns numpy's Generator.uniform(low, high) for one value.
func (g *numpyPCG64) uniform(low, high float64) float64 {
	return low + (high-low)*(float64(g.uint64()>>11)*(1.0/9007199254740992.0))
}

// desirabilityStarts returns the seed's ten starting points in [−1, 1]^k:
// the centre, then nine draws of default_rng(42).uniform(−1, 1, size=k).
func desirabilityStarts(k int) [][]float64 {
	g := newNumpyPCG64(42)
	starts := [][]float64{make([]float64, k)}
	for range 9 {
		x := make([]float64, k)
		for i := range x {
			x[i] = g.uniform(-1, 1)
		}
		starts = append(starts, x)
	}
	return starts
}
