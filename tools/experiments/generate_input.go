package experiments

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/tool"
)

// Input decoding and validation of generate_design.

// Caps (seed-spec §1.6): the number of factors is the seed's
// max_factors_combinatorial; centre points and replicates are capped under
// both spellings (the registry caps the HEAD names n_center_points and
// n_replicates itself).
const (
	genMaxFactors      = 15
	genMaxCenterPoints = 50
	genMaxReplicates   = 50
	// genMaxCells bounds rows × factors of one design (the registry's cap on
	// input cells, applied to the output).
	genMaxCells = 1_000_000
)

// Defaults of the seed's generate_design tool.
const (
	genDefaultCenterPoints = 3
	genDefaultReplicates   = 1
	genDefaultSeed         = 42
)

type genFactorIn struct {
	Name   string            `json:"name"`
	Type   *string           `json:"type"`
	Low    *float64          `json:"low"`
	High   *float64          `json:"high"`
	Levels []json.RawMessage `json:"levels"`
	Units  *string           `json:"units"`
}

type genInputRaw struct {
	Factors       []genFactorIn   `json:"factors"`
	DesignType    *string         `json:"design_type"`
	Budget        *float64        `json:"budget"`
	CenterPoints  *float64        `json:"center_points"`
	NCenterPoints *float64        `json:"n_center_points"`
	Replicates    *float64        `json:"replicates"`
	NReplicates   *float64        `json:"n_replicates"`
	Resolution    *float64        `json:"resolution"`
	Alpha         json.RawMessage `json:"alpha"`
	Generators    []string        `json:"generators"`
	RandomSeed    *json.Number    `json:"random_seed"`
}

// genFactor is a validated factor.
type genFactor struct {
	name      string
	kind      string // continuous, categorical or mixture
	low, high float64
	levels    []json.RawMessage // categorical levels, compact JSON
}

// genInput is a validated generate_design call.
type genInput struct {
	factors      []genFactor
	designType   string // "" = choose automatically
	budget       int
	hasBudget    bool
	centerPoints int
	replicates   int
	resolution   int // 0 = default
	alphaName    string
	alphaValue   float64 // > 0 when a number was given
	generators   []string
	seed         uint64
}

func (in *genInput) names() []string {
	out := make([]string, len(in.factors))
	for i, f := range in.factors {
		out[i] = f.name
	}
	return out
}

// wholeNumber converts an integer-valued JSON number (3.0 counts, as in
// JSON Schema) to an int; the schema has checked the range.
func wholeNumber(key string, v float64, lo, hi int) (int, error) {
	if v != math.Trunc(v) || v < float64(lo) || v > float64(hi) {
		return 0, tool.Invalidf("%s must be an integer from %d to %d, not %v", key, lo, hi, v).With("key", key)
	}
	return int(v), nil
}

// capped applies the registry's cap wording to the seed's parameter names,
// which the registry does not cap.
func capped(key string, v *float64, limit int) error {
	if v != nil && *v > float64(limit) {
		return errcode.New(errcode.InputTooLarge, "Parameter '%s'=%s exceeds limit of %d", key, strconv.FormatFloat(*v, 'f', -1, 64), limit).
			With("key", key).With("limit", limit).With("observed", *v)
	}
	return nil
}

// oneOf returns whichever of the seed's and HEAD's spellings was given;
// both at once must agree.
func oneOf(seedKey string, seedVal *float64, headKey string, headVal *float64) (*float64, error) {
	switch {
	case seedVal != nil && headVal != nil && *seedVal != *headVal:
		return nil, tool.Invalidf("%s and %s are two names for one parameter; give one (or equal values)", seedKey, headKey).
			With("key", headKey)
	case headVal != nil:
		return headVal, nil
	}
	return seedVal, nil
}

func decodeGenerate(input json.RawMessage) (*genInput, error) {
	var raw genInputRaw
	if err := tool.Decode(input, &raw); err != nil {
		return nil, err
	}
	in := &genInput{centerPoints: genDefaultCenterPoints, replicates: genDefaultReplicates, seed: genDefaultSeed}
	if n := len(raw.Factors); n > genMaxFactors {
		return nil, errcode.New(errcode.InputTooLarge, "factors has %d entries; the cap is %d (max_factors_combinatorial)", n, genMaxFactors).
			With("key", "factors").With("limit", genMaxFactors).With("observed", n)
	} else if n == 0 {
		return nil, tool.Invalidf("factors must have at least one entry").With("key", "factors")
	}
	if err := capped("center_points", raw.CenterPoints, genMaxCenterPoints); err != nil {
		return nil, err
	}
	if err := capped("replicates", raw.Replicates, genMaxReplicates); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, f := range raw.Factors {
		gf, err := validateFactor(i, f)
		if err != nil {
			return nil, err
		}
		if seen[gf.name] {
			return nil, tool.Invalidf("factors has the name %q twice", gf.name).With("key", "factors").With("index", i)
		}
		seen[gf.name] = true
		in.factors = append(in.factors, gf)
	}
	if raw.DesignType != nil {
		in.designType = *raw.DesignType
	}
	if raw.Budget != nil {
		b, err := wholeNumber("budget", *raw.Budget, 1, math.MaxInt32)
		if err != nil {
			return nil, err
		}
		in.budget, in.hasBudget = b, true
	}
	cp, err := oneOf("center_points", raw.CenterPoints, "n_center_points", raw.NCenterPoints)
	if err != nil {
		return nil, err
	}
	if cp != nil {
		if in.centerPoints, err = wholeNumber("center_points", *cp, 0, genMaxCenterPoints); err != nil {
			return nil, err
		}
	}
	rp, err := oneOf("replicates", raw.Replicates, "n_replicates", raw.NReplicates)
	if err != nil {
		return nil, err
	}
	if rp != nil {
		if in.replicates, err = wholeNumber("replicates", *rp, 1, genMaxReplicates); err != nil {
			return nil, err
		}
	}
	if raw.Resolution != nil {
		if in.resolution, err = wholeNumber("resolution", *raw.Resolution, 3, 5); err != nil {
			return nil, err
		}
	}
	if err := decodeAlpha(raw.Alpha, &in.alphaName, &in.alphaValue); err != nil {
		return nil, err
	}
	if raw.RandomSeed != nil {
		if in.seed, err = decodeSeed(*raw.RandomSeed); err != nil {
			return nil, err
		}
	}
	if raw.Generators != nil {
		if in.designType == "" {
			in.designType = "fractional_factorial"
		}
		if in.designType != "fractional_factorial" {
			return nil, tool.Invalidf("generators apply to fractional_factorial designs, not %s", in.designType).With("key", "generators")
		}
		if len(raw.Generators) == 0 {
			return nil, tool.Invalidf("generators is empty").With("key", "generators")
		}
		if _, err := doeParseGenerators(raw.Generators, in.names()); err != nil {
			return nil, tool.Invalidf("%v", err).With("key", "generators")
		}
		in.generators = raw.Generators
	}
	return in, nil
}

func validateFactor(i int, f genFactorIn) (genFactor, error) {
	g := genFactor{name: f.Name, kind: "continuous"}
	if f.Type != nil {
		g.kind = *f.Type
	}
	bad := func(format string, args ...any) error {
		return tool.Invalidf("factors[%d] (%q): "+format, append([]any{i, f.Name}, args...)...).
			With("key", "factors").With("index", i)
	}
	if f.Name == "" {
		return g, bad("name must not be empty")
	}
	if f.Name == "RunOrder" {
		return g, bad("RunOrder is the name of the run-order column")
	}
	finite := func(v *float64) bool { return v != nil && !math.IsInf(*v, 0) && !math.IsNaN(*v) }
	switch g.kind {
	case "continuous":
		if !finite(f.Low) || !finite(f.High) {
			return g, bad("continuous factors require 'low' and 'high'")
		}
		if *f.Low >= *f.High {
			return g, bad("'low' (%v) must be less than 'high' (%v)", *f.Low, *f.High)
		}
		g.low, g.high = *f.Low, *f.High
	case "mixture":
		g.low, g.high = 0, 1
		if f.Low != nil {
			g.low = *f.Low
		}
		if f.High != nil {
			g.high = *f.High
		}
	case "categorical":
		if len(f.Levels) < 2 {
			return g, bad("categorical factors require 'levels' with at least 2 entries")
		}
		seen := map[string]bool{}
		for _, l := range f.Levels {
			var c bytes.Buffer
			if err := json.Compact(&c, l); err != nil {
				return g, bad("level %s: %v", l, err)
			}
			key := c.String()
			// 1 and 1.0 are one level, as in Python.
			var num float64
			if json.Unmarshal(c.Bytes(), &num) == nil {
				key = "n" + strconv.FormatFloat(num, 'g', -1, 64)
			}
			if seen[key] {
				return g, bad("level %s is listed twice", c.String())
			}
			seen[key] = true
			g.levels = append(g.levels, json.RawMessage(c.Bytes()))
		}
	}
	return g, nil
}

// decodeAlpha reads the CCD axial distance: one of the names or a positive
// number.
func decodeAlpha(raw json.RawMessage, name *string, value *float64) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		switch s {
		case "rotatable", "face_centered", "orthogonal":
			*name = s
			return nil
		}
		return tool.Invalidf("alpha must be rotatable, face_centered, orthogonal or a positive number, not %q", s).With("key", "alpha")
	}
	var v float64
	if err := json.Unmarshal(raw, &v); err != nil || !(v > 0) || math.IsInf(v, 0) {
		return tool.Invalidf("alpha must be rotatable, face_centered, orthogonal or a positive number, not %s", raw).With("key", "alpha")
	}
	*value = v
	return nil
}

// decodeSeed reads random_seed: an integer from 0 to 2^64 − 1, as numpy's
// SeedSequence accepts (it refuses negative seeds).
func decodeSeed(n json.Number) (uint64, error) {
	s := n.String()
	if u, err := strconv.ParseUint(s, 10, 64); err == nil {
		return u, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || f < 0 || f >= 1<<64 {
		return 0, tool.Invalidf("random_seed must be an integer from 0 to 2^64 − 1, not %s", s).With("key", "random_seed")
	}
	return uint64(f), nil
}
