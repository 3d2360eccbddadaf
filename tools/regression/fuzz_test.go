package regression

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"testing"

	"github.com/toolq/toolq/errcode"
)

// FuzzRegression runs both tools on fuzz-made x and y (16 bytes per pair,
// NaN as null, ±Inf as ±MaxFloat64, the last byte choosing the options):
// nothing that passes validation may panic, and every refusal is typed.
func FuzzRegression(f *testing.F) {
	var seed []byte
	for _, v := range seedX {
		seed = binary.LittleEndian.AppendUint64(seed, math.Float64bits(v))
		seed = binary.LittleEndian.AppendUint64(seed, math.Float64bits(2*v))
	}
	f.Add(append(seed, 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		opts := data[len(data)-1]
		data = data[:len(data)-1]
		var x, y []any
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
		if len(x) < 3 {
			return // the schema refuses these
		}
		input := map[string]any{"x": x, "y": y, "fit_intercept": opts&1 == 1,
			"confidence_level": []float64{0.95, 1e-300, 1 - 1e-16, 0.5}[opts>>1&3]}
		in, err := json.Marshal(input)
		if err != nil {
			t.Skip()
		}
		if _, err := try(t, "robust_regression", string(in)); err != nil && !errcode.Of(err).Known() {
			t.Fatalf("robust_regression: untyped error %v", err)
		}
		delete(input, "fit_intercept")
		delete(input, "confidence_level")
		in, _ = json.Marshal(input)
		if _, err := try(t, "repeated_median", string(in)); err != nil && !errcode.Of(err).Known() {
			t.Fatalf("repeated_median: untyped error %v", err)
		}
	})
}
