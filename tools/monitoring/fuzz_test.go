package monitoring

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"testing"

	"github.com/toolq/toolq/errcode"
)

// fuzzValues turns fuzz bytes into values, 8 bytes each: NaN as null
// (missing), ±Inf as ±MaxFloat64, since JSON cannot carry them.
func fuzzValues(data []byte) []any {
	var out []any
	for ; len(data) >= 8; data = data[8:] {
		v := math.Float64frombits(binary.LittleEndian.Uint64(data))
		switch {
		case math.IsNaN(v):
			out = append(out, nil)
		case math.IsInf(v, 0):
			out = append(out, math.Copysign(math.MaxFloat64, v))
		default:
			out = append(out, v)
		}
	}
	return out
}

func fuzzSeed(values ...float64) []byte {
	var b []byte
	for _, v := range values {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return b
}

// FuzzControlChart: no input that passes validation panics, refusals are
// typed, and the result is consistent: the flagged points are those beyond
// the limits.
func FuzzControlChart(f *testing.F) {
	f.Add(uint8(0), fuzzSeed(33, 30, 29, 30, 27, 32, 17))
	f.Add(uint8(1), fuzzSeed(mediumLength...))
	f.Add(uint8(2), fuzzSeed(5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 9))
	f.Add(uint8(1), fuzzSeed(1, math.NaN(), math.NaN(), 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 1e300, -1e300, 0, 0, 0, 0, 0, 0))
	f.Fuzz(func(t *testing.T, pick uint8, data []byte) {
		values := fuzzValues(data)
		if len(values) < 5 {
			return // the schema refuses these
		}
		input := map[string]any{"values": values, "chart_type": []string{"shewhart", "holt_winters"}[pick%2]}
		if pick%2 == 0 {
			input["style"] = []string{"robust", "regular"}[pick/2%2]
		}
		in, err := json.Marshal(input)
		if err != nil {
			t.Skip()
		}
		r, err := try(t, "control_chart", string(in))
		if err != nil {
			if !errcode.Of(err).Known() {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		idx := r.Ints(t, "out_of_control_indices")
		if int(r.Num(t, "n_out_of_control")) != len(idx) || len(r.Floats(t, "out_of_control_values")) != len(idx) {
			t.Fatalf("inconsistent counts: %s", r)
		}
		target, spread := r.Num(t, "target"), r.Num(t, "spread")
		for _, i := range idx {
			v, _ := values[i].(float64)
			if values[i] == nil || !(math.Abs(v-target) > 3*spread) {
				t.Fatalf("index %d (%v) flagged inside the limits: %s", i, values[i], r)
			}
		}
	})
}

// FuzzProcessCapability: no input that passes validation panics.
func FuzzProcessCapability(f *testing.F) {
	f.Add(9.5, 10.5, true, fuzzSeed(cpkValues...))
	f.Add(-1e308, 1e308, false, fuzzSeed(1, 1, 1, 1, 1))
	f.Fuzz(func(t *testing.T, lo, hi float64, robust bool, data []byte) {
		values := fuzzValues(data)
		if len(values) < 5 {
			return
		}
		input := map[string]any{"values": values, "robust": robust}
		if !math.IsNaN(lo) && !math.IsInf(lo, 0) {
			input["lower_spec"] = lo
		}
		if !math.IsNaN(hi) && !math.IsInf(hi, 0) {
			input["upper_spec"] = hi
		}
		in, err := json.Marshal(input)
		if err != nil {
			t.Skip()
		}
		if _, err := try(t, "process_capability", string(in)); err != nil && !errcode.Of(err).Known() {
			t.Fatalf("untyped error %v", err)
		}
	})
}
