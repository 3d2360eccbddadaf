package multivariate

import (
	"context"
	_ "embed"
	"encoding/json"

	"github.com/toolq/toolq/tools/internal/pyfmt"
	"github.com/toolq/toolq/tools/tool"
)

//go:embed schemas/scale_data.json
var scaleDataSchema []byte

const scaleDataDescription = "Mean-centre a numeric data matrix and scale it to unit variance (MCUV scaling), the preprocessing that fit_pca and fit_pls apply. " +
	"Each column's mean and sample standard deviation (n − 1 denominator) are computed over its present values; null (missing) cells are skipped and stay null in scaled_data. " +
	"A constant column is centred but not scaled, and its standard deviation is reported as 1. " +
	"Returns scaled_data (same shape as data), means and stds. " +
	"Needs at least 2 rows and at least 2 present values in every column: the original tool accepted a single row and returned null standard deviations and null data, " +
	"where this one rejects the input. At most 10,000 rows and 500 columns."

// scaleDataDef returns the scale_data tool definition.
func scaleDataDef() tool.Def {
	return tool.Def{
		Name:        "scale_data",
		Example:     `{"data": [[1,10],[2,20],[3,30],[4,40]]}`,
		Category:    Category,
		Description: scaleDataDescription,
		Schema:      scaleDataSchema,
		Check: func(input json.RawMessage) error {
			_, err := parseScaleData(input)
			return err
		},
		Run: runScaleData,
	}
}

type scaleDataInput struct {
	Data        tool.Matrix `json:"data"`
	ColumnNames []string    `json:"column_names"`
}

// parseScaleData decodes and checks a scale_data input: the caps, a
// rectangular matrix of at least 2 rows, one name per column.
func parseScaleData(input json.RawMessage) (scaleDataInput, error) {
	var in scaleDataInput
	if err := tool.Decode(input, &in); err != nil {
		return in, err
	}
	if err := checkMatrix("data", in.Data); err != nil {
		return in, err
	}
	n, k := in.Data.Dims()
	if n < 2 {
		return in, tool.Invalidf("data has %d row; at least 2 are needed for a standard deviation", n).With("key", "data")
	}
	if in.ColumnNames != nil && len(in.ColumnNames) != k {
		return in, tool.Invalidf("column_names has %d names but data has %d columns", len(in.ColumnNames), k).
			With("key", "column_names").With("expected", k).With("observed", len(in.ColumnNames))
	}
	return in, nil
}

// scaleDataResult is scale_data's output, the seed's keys.
type scaleDataResult struct {
	ScaledData [][]pyfmt.Float `json:"scaled_data"`
	Means      []pyfmt.Float   `json:"means"`
	Stds       []pyfmt.Float   `json:"stds"`
}

func runScaleData(_ context.Context, input json.RawMessage) (any, error) {
	in, err := parseScaleData(input)
	if err != nil {
		return nil, err
	}
	xs, sc, err := mcuv(in.Data.Rows(), in.ColumnNames)
	if err != nil {
		return nil, err
	}
	return scaleDataResult{ScaledData: floatRows(xs), Means: pyfmt.Floats(sc.means), Stds: pyfmt.Floats(sc.stds)}, nil
}
