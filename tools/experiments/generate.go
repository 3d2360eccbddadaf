package experiments

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"

	"github.com/toolq/toolq/tools/internal/stats"
	"github.com/toolq/toolq/tools/tool"
)

// The generate_design tool: the seed's experiments/tools.py
// generate_design_tool over designs.generate_design (seed-spec §2.3, tool
// 23).

//go:embed schemas/generate_design.json
var generateSchema []byte

const generateExample = `{"factors": [{"name": "Temperature", "low": 150, "high": 200, "units": "degC"}, ` +
	`{"name": "Pressure", "low": 1, "high": 5, "units": "bar"}], "design_type": "ccd", "alpha": "rotatable"}`

// generateDesignDef returns the generate_design definition.
func generateDesignDef() *tool.Def {
	return &tool.Def{
		Name:        "generate_design",
		Category:    Category,
		Description: generateDescription,
		Schema:      generateSchema,
		Check: func(input json.RawMessage) error {
			_, err := decodeGenerate(input)
			return err
		},
		Example: generateExample,
		Run:     runGenerateDesign,
	}
}

// generateOutput is the seed's output dict, keys in its order; the
// optional ones are left out when empty, as the seed leaves them out.
type generateOutput struct {
	DesignCoded      doeTable `json:"design_coded"`
	DesignActual     doeTable `json:"design_actual"`
	RunOrder         []int    `json:"run_order"`
	DesignType       string   `json:"design_type"`
	NRuns            int      `json:"n_runs"`
	NFactors         int      `json:"n_factors"`
	FactorNames      []string `json:"factor_names"`
	Generators       []string `json:"generators,omitempty"`
	DefiningRelation []string `json:"defining_relation,omitempty"`
	Resolution       int      `json:"resolution,omitempty"`
	Alpha            *float64 `json:"alpha,omitempty"`
}

// autoSelectDesign is the seed's _auto_select (the tool passes neither
// constraints nor hard-to-change factors).
func autoSelectDesign(in *genInput) string {
	mixtures := 0
	for _, f := range in.factors {
		if f.kind == "mixture" {
			mixtures++
		}
	}
	if mixtures > 0 && mixtures == len(in.factors) {
		return "mixture"
	}
	k := len(in.factors) - mixtures
	// B = budget or ∞; 2^k is exact for k ≤ 15.
	fits := func(runs int) bool { return !in.hasBudget || in.budget >= runs }
	switch {
	case k <= 5 && fits(1<<k):
		return "full_factorial"
	case k >= 6 && in.hasBudget && in.budget <= 2*k+1:
		return "plackett_burman"
	case k >= 1 && fits(1<<(k-1)):
		return "fractional_factorial"
	}
	return "d_optimal"
}

// baseDesign is the coded matrix a design type produces, before centre
// points, replication and randomisation.
type baseDesign struct {
	matrix   doeMatrix
	embedded bool // the design holds its own centre points (or has none)
	actual   bool // the values are proportions (mixture)
	plan     *fractionalPlan
	alpha    *float64
	labels   [][]json.RawMessage // taguchi: per factor, the categorical levels
}

func buildBaseDesign(ctx context.Context, in *genInput, designType string) (baseDesign, error) {
	k := len(in.factors)
	for _, f := range in.factors {
		if f.kind == "categorical" && designType != "taguchi" {
			return baseDesign{}, tool.Errorf("factor %q is categorical; only taguchi designs take categorical factors "+
				"(the seed failed on them in every design)", f.name)
		}
	}
	switch designType {
	case "full_factorial":
		return baseDesign{matrix: ff2n(k)}, nil
	case "fractional_factorial":
		var plan fractionalPlan
		if in.generators != nil {
			var err error
			if plan, err = doeParseGenerators(in.generators, in.names()); err != nil {
				return baseDesign{}, tool.Errorf("%v", err)
			}
		} else {
			res := in.resolution
			if res == 0 {
				res = min(k, 5)
			}
			plan = fractionalByResolution(k, max(res, 3))
		}
		return baseDesign{matrix: plan.matrix(), plan: &plan}, nil
	case "plackett_burman":
		m, ok := pbdesign(k)
		if !ok {
			return baseDesign{}, tool.Errorf("Invalid inputs. n must be a multiple of 4.")
		}
		return baseDesign{matrix: m}, nil
	case "box_behnken":
		if k < 3 {
			return baseDesign{}, tool.Errorf("Box-Behnken designs require at least 3 factors.")
		}
		return baseDesign{matrix: bbdesign(k, in.centerPoints), embedded: true}, nil
	case "ccd":
		if k < 2 {
			return baseDesign{}, tool.Errorf("A central composite design needs at least 2 factors.")
		}
		nco := max(1, in.centerPoints/2)
		nao := max(1, in.centerPoints-nco)
		var a float64
		switch {
		case in.alphaValue > 0:
			a = in.alphaValue
		case in.alphaName == "rotatable":
			a = doeCCDAlpha(k, true, nco, nao)
		case in.alphaName == "face_centered":
			a = 1
		default: // orthogonal, or not given
			a = doeCCDAlpha(k, false, nco, nao)
		}
		return baseDesign{matrix: ccdesign(k, nco, nao, a), embedded: true, alpha: &a}, nil
	case "dsd":
		if k < 3 {
			return baseDesign{}, tool.Errorf("Definitive Screening Designs require at least 3 factors.")
		}
		return baseDesign{matrix: dsdMatrix(k), embedded: true}, nil
	case "d_optimal", "i_optimal", "a_optimal":
		n := 2*k + 1
		if in.hasBudget {
			n = in.budget
		}
		if grid := pow3(k); n > grid {
			n = grid
		}
		n = max(n, k+1)
		if n*k > genMaxCells {
			return baseDesign{}, tooManyCells(n, k)
		}
		crit := map[string]xchCriterion{"d_optimal": xchD, "i_optimal": xchI, "a_optimal": xchA}[designType]
		m, err := exchangeDesign(ctx, k, n, crit, in.seed)
		if err != nil {
			if errors.Is(err, errXchSingular) {
				return baseDesign{}, tool.Errorf("%v", err)
			}
			return baseDesign{}, err
		}
		return baseDesign{matrix: m, embedded: true}, nil
	case "mixture":
		if k < 2 {
			return baseDesign{}, tool.Errorf("Mixture designs require at least 2 components.")
		}
		return baseDesign{matrix: mixtureMatrix(k, in.budget, in.hasBudget), embedded: true, actual: true}, nil
	case "taguchi":
		return taguchiDesign(in)
	}
	return baseDesign{}, tool.Errorf("Unknown design_type=%q.", designType)
}

// pow3 is 3^k, saturated at 1<<30.
func pow3(k int) int {
	p := 1
	for range k {
		p *= 3
		if p > 1<<30 {
			return 1 << 30
		}
	}
	return p
}

// taguchiDesign lays the factors on an orthogonal array: two-level
// (continuous or mixture) factors take the coded levels −1 and +1,
// categorical ones the indices of their levels; a factor on a column with
// more levels than it has takes level (symbol mod levels), Addelman's
// collapsing, which keeps the main effects orthogonal.
func taguchiDesign(in *genInput) (baseDesign, error) {
	levels := make([]int, len(in.factors))
	labels := make([][]json.RawMessage, len(in.factors))
	categorical := false
	for i, f := range in.factors {
		levels[i] = 2
		if f.kind == "categorical" {
			levels[i] = len(f.levels)
			labels[i] = f.levels
			categorical = true
		}
	}
	plan, ok := chooseTaguchi(levels)
	if !ok {
		return baseDesign{}, tool.Errorf("No standard Taguchi orthogonal array found for %d factors with levels %v. "+
			"Consider using a different design type.", len(levels), levels)
	}
	rows := plan.array.build()
	m := make(doeMatrix, len(rows))
	for r, row := range rows {
		m[r] = make([]float64, len(levels))
		for i, c := range plan.columns {
			s := row[c] % levels[i]
			if labels[i] != nil {
				m[r][i] = float64(s)
			} else {
				m[r][i] = float64(2*s - 1)
			}
		}
	}
	b := baseDesign{matrix: m, embedded: categorical}
	if categorical {
		b.labels = labels
	}
	return b, nil
}

func tooManyCells(rows, k int) error {
	return tool.Errorf("the design would have %d runs of %d factors (%d values); the cap is %d", rows, k, rows*k, genMaxCells)
}

func runGenerateDesign(ctx context.Context, input json.RawMessage) (any, error) {
	in, err := decodeGenerate(input)
	if err != nil {
		return nil, err
	}
	designType := in.designType
	if designType == "" {
		designType = autoSelectDesign(in)
	}
	base, err := buildBaseDesign(ctx, in, designType)
	if err != nil {
		return nil, err
	}
	k := len(in.factors)
	extra := in.centerPoints
	if base.embedded || base.actual {
		extra = 0
	}
	n := (len(base.matrix) + extra) * in.replicates
	if n*k > genMaxCells {
		return nil, tooManyCells(n, k)
	}
	// 1. centre points, 2. replicates, 3. randomisation (build_design_result).
	rows := append(base.matrix, doeZeroRows(extra, k)...)
	all := make(doeMatrix, 0, n)
	for range in.replicates {
		all = append(all, rows...)
	}
	perm := stats.NewNumpyGenerator(in.seed).Permutation(n)
	out := generateOutput{
		RunOrder:    make([]int, n),
		DesignType:  designType,
		NRuns:       n,
		NFactors:    k,
		FactorNames: in.names(),
	}
	coded := make(doeMatrix, n)
	for r, p := range perm {
		coded[r] = all[p]
		out.RunOrder[r] = p + 1
	}
	actual := coded
	if !base.actual {
		actual = make(doeMatrix, n)
		for r, row := range coded {
			actual[r] = make([]float64, k)
			for j, f := range in.factors {
				actual[r][j] = toActual(row[j], f)
			}
		}
	}
	out.DesignCoded = doeTable{names: out.FactorNames, rows: coded}
	out.DesignActual = doeTable{names: out.FactorNames, rows: actual, labels: base.labels}
	if base.plan != nil && len(base.plan.gen) > 0 {
		out.Generators = base.plan.generatorStrings(out.FactorNames)
		out.DefiningRelation = base.plan.definingRelationStrings(out.FactorNames)
		out.Resolution = base.plan.resolution()
	}
	out.Alpha = base.alpha
	return out, nil
}

// toActual is Column.to_realworld: coded·(0.5·(high − low)) + (low + high)/2,
// rounded step by step as numpy does. Categorical factors keep their level
// index (the table writes the label).
func toActual(coded float64, f genFactor) float64 {
	if f.kind == "categorical" {
		return coded
	}
	center := float64(f.low+f.high) / 2
	half := float64(0.5 * float64(f.high-f.low))
	return float64(coded*half) + center
}
