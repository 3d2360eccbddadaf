package bivariate

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"testing"

	"github.com/toolq/toolq/errcode"
)

// fuzzPairs turns fuzz bytes into x and y of equal length: 16 bytes per
// pair, NaN as null (missing); non-finite values become huge finite ones,
// since JSON cannot carry them.
func fuzzPairs(data []byte) (x, y []any) {
	for len(data) >= 16 {
		for k, dst := range []*[]any{&x, &y} {
			v := math.Float64frombits(binary.LittleEndian.Uint64(data[8*k:]))
			switch {
			case math.IsNaN(v):
				*dst = append(*dst, nil)
			case math.IsInf(v, 0):
				*dst = append(*dst, math.Copysign(math.MaxFloat64, v))
			default:
				*dst = append(*dst, v)
			}
		}
		data = data[16:]
	}
	return x, y
}

// FuzzFindElbow: no input that passes validation may panic, and every
// refusal is a typed error.
func FuzzFindElbow(f *testing.F) {
	seed := make([]byte, 0, 16*30)
	for i := range 30 {
		seed = binary.LittleEndian.AppendUint64(seed, math.Float64bits(float64(i)))
		seed = binary.LittleEndian.AppendUint64(seed, math.Float64bits(max(float64(i), 3*float64(i)-30)))
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, data []byte) {
		x, y := fuzzPairs(data)
		if len(x) < minElbowPoints {
			return // the schema refuses these
		}
		in, err := json.Marshal(map[string]any{"x": x, "y": y})
		if err != nil {
			t.Skip()
		}
		if _, err := run(t, string(in)); err != nil && !errcode.Of(err).Known() {
			t.Fatalf("untyped error %v", err)
		}
	})
}
