package experiments

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"

	"github.com/toolq/toolq/tools/internal/pyfmt"
)

// doeTable is a design written as the seed writes a DataFrame with
// to_dict(orient="records"): a list of objects whose keys follow the
// column order. Numbers are written as Python writes them: floats always
// with a decimal point or exponent (1.0, -0.0), columns that pandas keeps
// as int64 (intCols) as integers. A column with labels holds indices into
// them and writes the labels (categorical factor levels, as given).
type doeTable struct {
	names   []string
	rows    [][]float64
	intCols []bool              // nil: every column is float
	labels  [][]json.RawMessage // nil, or per column nil or the labels
}

// MarshalJSON implements json.Marshaler.
func (t doeTable) MarshalJSON() ([]byte, error) {
	keys := make([][]byte, len(t.names))
	for j, n := range t.names {
		k, err := json.Marshal(n)
		if err != nil {
			return nil, err
		}
		keys[j] = k
	}
	var b bytes.Buffer
	b.WriteByte('[')
	for i, row := range t.rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('{')
		for j, v := range row {
			if j > 0 {
				b.WriteByte(',')
			}
			b.Write(keys[j])
			b.WriteByte(':')
			switch {
			case t.labels != nil && t.labels[j] != nil:
				b.Write(t.labels[j][int(v)])
			case t.intCols != nil && t.intCols[j] && math.Abs(v) < 1<<63:
				b.WriteString(strconv.FormatInt(int64(v), 10))
			default:
				f, _ := pyfmt.Float(v).MarshalJSON() // never fails
				b.Write(f)
			}
		}
		b.WriteByte('}')
	}
	b.WriteByte(']')
	return b.Bytes(), nil
}
