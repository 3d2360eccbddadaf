package batch

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"testing"

	"github.com/toolq/toolq/errcode"
)

// FuzzExtractBatchFeatures builds rows from fuzz bytes, 17 per row: a batch
// id (mod 5; 4 is missing), a time and a value (NaN as null, ±Inf as
// ±MaxFloat64). Every feature is asked for; nothing may panic, refusals
// are typed, and every batch gets a record.
func FuzzExtractBatchFeatures(f *testing.F) {
	var seed []byte
	for i := range 12 {
		seed = append(seed, byte(i%3))
		seed = binary.LittleEndian.AppendUint64(seed, math.Float64bits(float64(i/3)))
		seed = binary.LittleEndian.AppendUint64(seed, math.Float64bits(float64(i*i%7)))
	}
	f.Add(seed, uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		num := func(b []byte) any {
			v := math.Float64frombits(binary.LittleEndian.Uint64(b))
			switch {
			case math.IsNaN(v):
				return nil
			case math.IsInf(v, 0):
				return math.Copysign(math.MaxFloat64, v)
			}
			return v
		}
		var rows []map[string]any
		for ; len(data) >= 17; data = data[17:] {
			row := map[string]any{"t": num(data[1:9]), "y": num(data[9:17])}
			switch id := data[0] % 5; {
			case id == 4:
			case mode%2 == 0:
				row["batch"] = int(id)
			default:
				row["batch"] = string(rune('a' + id))
			}
			rows = append(rows, row)
		}
		if len(rows) < 2 {
			return
		}
		in, err := json.Marshal(map[string]any{"data": rows, "value_columns": []string{"y"}, "features": allFeatures, "time_column": "t"})
		if err != nil {
			t.Skip()
		}
		b, err := run(t, string(in))
		if err != nil {
			if !errcode.Of(err).Known() {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		var o output
		if err := json.Unmarshal(b, &o); err != nil || o.NBatches != len(o.FeatureMatrix) || o.NFeatures != len(allFeatures) {
			t.Fatalf("result %s: %v", b, err)
		}
	})
}
