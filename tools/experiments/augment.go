package experiments

import (
	"context"
	_ "embed"
	"encoding/json"
	"math"
	"slices"

	"github.com/toolq/toolq/tools/internal/pydict"
	"github.com/toolq/toolq/tools/tool"
)

// The augment_design tool: the seed's experiments/tools.py
// augment_design_tool over augment.augment_design (seed-spec §2.3, tool
// 27).

//go:embed schemas/augment_design.json
var augmentSchema []byte

const augmentExample = `{"existing_design": [{"A": -1, "B": -1}, {"A": 1, "B": -1}, {"A": -1, "B": 1}, {"A": 1, "B": 1}], ` +
	`"augmentation_type": "add_center_points", "n_additional_runs": 3}`

// augmentDesignDef returns the augment_design definition.
func augmentDesignDef() *tool.Def {
	return &tool.Def{
		Name:        "augment_design",
		Category:    Category,
		Description: augmentDescription,
		Schema:      augmentSchema,
		Check: func(input json.RawMessage) error {
			_, err := decodeAugment(input)
			return err
		},
		Example: augmentExample,
		Run:     runAugmentDesign,
	}
}

type augmentInputRaw struct {
	ExistingDesign   json.RawMessage `json:"existing_design"`
	AugmentationType string          `json:"augmentation_type"`
	TargetModel      *string         `json:"target_model"`
	NAdditionalRuns  *float64        `json:"n_additional_runs"`
	FoldOn           *string         `json:"fold_on"`
	Alpha            json.RawMessage `json:"alpha"`
	Generators       []string        `json:"generators"`
}

// augmentMaxRuns caps n_additional_runs (the registry caps it too, as
// input_too_large, before the schema sees it).
const augmentMaxRuns = 500

// augmentMaxRowsAfter caps the augmented design (replicating 10,000 runs
// 500 times would give five million); a larger one is a tool_error.
const augmentMaxRowsAfter = 50_000

type augmentInput struct {
	design     *doeRecords
	kind       string
	model      string // "" = not given
	n          int    // 0 = not given
	foldOn     string // "" = not given
	alphaName  string
	alphaValue float64
	hasAlpha   bool
	generators []string
}

func decodeAugment(input json.RawMessage) (*augmentInput, error) {
	var raw augmentInputRaw
	if err := tool.Decode(input, &raw); err != nil {
		return nil, err
	}
	in := &augmentInput{kind: raw.AugmentationType, generators: raw.Generators}
	var err error
	if in.design, err = decodeDoeRecords("existing_design", raw.ExistingDesign); err != nil {
		return nil, err
	}
	if raw.TargetModel != nil {
		in.model = *raw.TargetModel
	}
	if raw.NAdditionalRuns != nil {
		if in.n, err = wholeNumber("n_additional_runs", *raw.NAdditionalRuns, 1, augmentMaxRuns); err != nil {
			return nil, err
		}
	}
	if raw.FoldOn != nil {
		in.foldOn = *raw.FoldOn
		if !slices.Contains(in.design.names, in.foldOn) {
			return nil, tool.Invalidf("fold_on=%s not in factor names: %s", pyStrRepr(in.foldOn), pyStrList(in.design.names)).
				With("key", "fold_on")
		}
	}
	if len(raw.Alpha) > 0 && string(raw.Alpha) != "null" {
		in.hasAlpha = true
		if err := decodeAlpha(raw.Alpha, &in.alphaName, &in.alphaValue); err != nil {
			return nil, err
		}
	}
	switch in.kind {
	case "add_runs_optimal":
		if in.n == 0 {
			return nil, tool.Invalidf("n_additional_runs is required for add_runs_optimal.").With("key", "n_additional_runs")
		}
	case "add_blocks":
		if in.n == 1 {
			return nil, tool.Invalidf("Number of blocks must be at least 2.").With("key", "n_additional_runs")
		}
	}
	return in, nil
}

// augmentWork is one augmentation's output before the narrative.
type augmentWork struct {
	after    [][]float64
	afterInt []bool
	newRows  [][]float64
	newInt   []bool
	notes    []string
	genAfter []string // generators of the augmented design (nil: none)
	extra    func(o *pydict.Dict)
	explain  bool // compare before and after metrics (all types but add_blocks)
}

func runAugmentDesign(ctx context.Context, input json.RawMessage) (any, error) {
	in, err := decodeAugment(input)
	if err != nil {
		return nil, err
	}
	if in.kind == "replicate" && len(in.design.rows)*(max(in.n, 1)+1) > augmentMaxRowsAfter {
		return nil, tool.Errorf("replicating %d runs %d times gives more than %d runs", len(in.design.rows), max(in.n, 1), augmentMaxRowsAfter)
	}
	var w *augmentWork
	switch in.kind {
	case "foldover":
		w = augmentFoldover(in)
	case "semifold":
		w = augmentSemifold(in)
	case "add_center_points":
		w = augmentCenterPoints(in)
	case "replicate":
		w = augmentReplicate(in)
	case "add_axial_points":
		w = augmentAxial(in, false)
	case "upgrade_to_rsm":
		w = augmentAxial(in, true)
	case "add_runs_optimal":
		if w, err = augmentOptimal(ctx, in); err != nil {
			return nil, err
		}
	case "add_blocks":
		if w, err = augmentBlocks(in); err != nil {
			return nil, err
		}
	default:
		return nil, tool.Errorf("Unknown augmentation_type=%q.", in.kind)
	}
	if len(w.after) > augmentMaxRowsAfter {
		return nil, tool.Errorf("the augmented design would have %d runs; the cap is %d", len(w.after), augmentMaxRowsAfter)
	}
	d := in.design
	out := &pydict.Dict{}
	names := d.names
	afterNames := names
	if in.kind == "add_blocks" {
		afterNames = append(slices.Clone(names), "Block")
	}
	out.Set("augmented_design", doeTable{names: afterNames, rows: w.after, intCols: w.afterInt})
	if w.newRows == nil {
		out.Set("new_runs", []any{})
	} else {
		out.Set("new_runs", doeTable{names: names, rows: w.newRows, intCols: w.newInt})
	}
	out.Set("n_runs_before", len(d.rows))
	out.Set("n_runs_after", len(w.after))
	if w.extra != nil {
		w.extra(out)
	}
	if !w.explain {
		out.Set("explanation", joinLines(w.notes, "\n"))
		return out, nil
	}
	explanation, before, after := explainChanges(ctx, d, w.after, in.generators, w.genAfter, w.notes)
	out.Set("explanation", explanation)
	out.Set("before_metrics", before)
	out.Set("after_metrics", after)
	return out, nil
}

func joinLines(lines []string, sep string) string {
	s := ""
	for i, l := range lines {
		if i > 0 {
			s += sep
		}
		s += l
	}
	return s
}

// isCenterRow is the seed's centre test: every factor within 1e-10 of 0.
func isCenterRow(r []float64) bool {
	for _, v := range r {
		if !(math.Abs(v) < 1e-10) {
			return false
		}
	}
	return true
}

// allFloat marks every column as float (a concatenation with float rows).
func allFloat(k int) []bool { return make([]bool, k) }
