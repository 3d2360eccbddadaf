package multivariate

import (
	"context"
	_ "embed"
	"encoding/json"

	"github.com/toolq/toolq/tools/internal/pyfmt"
	"github.com/toolq/toolq/tools/tool"
)

//go:embed schemas/detect_multivariate_outliers.json
var detectSchema []byte

const detectDescription = "Screen the rows of a numeric data matrix for multivariate outliers with a PCA model, using both diagnostics: " +
	"SPE (the distance of a row from the model plane, reported as the square root of its residual sum of squares) and Hotelling's T² (its distance from the centre within the plane). " +
	"The data are centred and scaled to unit variance first; complete data are decomposed by SVD, data with null (missing) cells by NIPALS. " +
	"An observation is flagged on SPE or on T² when its value exceeds the limit at conf_level (Box's χ² approximation for SPE, the F-based limit for T²) or when a classical generalized ESD test " +
	"(mean and standard deviation, largest-crossing rule, at most max(1, rows/5) outliers, significance 1 − conf_level) singles it out; " +
	"the original tool used a robust median/MAD variant of the test that flagged ordinary observations. " +
	"Returns outlier_indices and outlier_details (types, SPE, T², both limits and a severity, the larger of SPE/limit and T²/limit rounded to 4 decimals; ordered by severity, highest first), " +
	"t2_limit and spe_limit, and n_components, the number of components used, min(requested, rows, columns); when that is fewer than requested, n_components_requested echoes the request. " +
	"The same screen as fit_pca's. At most 10,000 rows and 500 columns."

// detectDef returns the detect_multivariate_outliers tool definition.
func detectDef() tool.Def {
	return tool.Def{
		Name:        "detect_multivariate_outliers",
		Example:     `{"data": [[1,2,3],[2,3,4],[3,4,6],[4,5,6],[5,7,8],[6,7,9],[7,8,10],[8,9,12]], "n_components": 1}`,
		Category:    Category,
		Description: detectDescription,
		Schema:      detectSchema,
		Check: func(input json.RawMessage) error {
			_, err := parseDetect(input)
			return err
		},
		Run: runDetect,
	}
}

type detectInput struct {
	Data        tool.Matrix `json:"data"`
	NComponents float64     `json:"n_components"`
	ConfLevel   float64     `json:"conf_level"`
}

// parseDetect decodes and checks a detect_multivariate_outliers input as
// parseFitPCA does, without column names (the seed took none).
func parseDetect(input json.RawMessage) (detectInput, error) {
	in := detectInput{ConfLevel: defaultConfLevel}
	if err := tool.Decode(input, &in); err != nil {
		return in, err
	}
	if err := checkComponents(in.NComponents); err != nil {
		return in, err
	}
	if err := checkConfLevel(in.ConfLevel); err != nil {
		return in, err
	}
	return in, checkMatrix("data", in.Data)
}

// detectResult is the output: the seed's keys, then the component count.
type detectResult struct {
	OutlierIndices       []int       `json:"outlier_indices"`
	OutlierDetails       []outlier   `json:"outlier_details"`
	T2Limit              pyfmt.Float `json:"t2_limit"`
	SPELimit             pyfmt.Float `json:"spe_limit"`
	NComponents          int         `json:"n_components"`
	NComponentsRequested int         `json:"n_components_requested,omitempty"`
}

func runDetect(ctx context.Context, input json.RawMessage) (any, error) {
	in, err := parseDetect(input)
	if err != nil {
		return nil, err
	}
	s, err := fitAndScreen(ctx, in.Data.Rows(), nil, int(in.NComponents), in.ConfLevel)
	if err != nil {
		return nil, err
	}
	return detectResult{
		OutlierIndices:       s.screen.indices(),
		OutlierDetails:       s.screen.outliers,
		T2Limit:              pyfmt.Float(s.screen.t2Limit),
		SPELimit:             pyfmt.Float(s.screen.speLimit),
		NComponents:          s.model.a,
		NComponentsRequested: requestEcho(s.model.a, s.requested),
	}, nil
}
