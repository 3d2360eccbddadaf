package experiments

import (
	"context"
	_ "embed"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/internal/pydict"
	"github.com/toolq/toolq/tools/tool"
)

// The recommend_strategy tool: the seed's experiments/tools.py
// recommend_strategy_tool over experiments/strategy (seed-spec §2.3,
// tool 30).

//go:embed schemas/recommend_strategy.json
var strategySchema []byte

const (
	// maxStrategyFactors bounds the factor count. The seed has no bound,
	// but its run estimates grow as 2^k (Python integers do not
	// overflow); 50 keeps every estimate exact in an int and a float64.
	maxStrategyFactors = 50
	// maxPriorKnowledge is the seed's later cap on the free text
	// (SEC-29), in characters after trimming.
	maxPriorKnowledge = 4096
)

func recommendStrategyDef() *tool.Def {
	return &tool.Def{
		Name:     "recommend_strategy",
		Category: Category,
		Description: "Recommend a staged plan of designed experiments for a problem: which design to run first, how many runs " +
			"each stage needs, and when to move on. Deterministic rules (no randomness): " +
			"a screening stage for 3 or more factors (full factorial plus 3 centre points for 3–4 continuous factors, a " +
			"resolution IV fraction for 5, and for 6 or more a Plackett–Burman, definitive screening or fractional design " +
			"chosen from the budget per factor, the domain and the prior knowledge; a simplex lattice for mixture components); " +
			"an optimisation stage (CCD, face-centred CCD, Box–Behnken or D-optimal when constraints are given) for the 3 " +
			"factors expected to survive screening, included when responses are given or there are at most 5 factors; " +
			"and a confirmation stage of replicates at the predicted optimum (3 runs, 5 in pharma_formulation and " +
			"analytical_method). Hard-to-change factors make the first two stages split-plot designs. The free-text " +
			"prior_knowledge is read for wording such as \"no prior data\", \"suspect\", \"pilot study\" or \"confirmed\", " +
			"which sets a confidence of 0.1, 0.4, 0.7 or 0.9 (0.3 otherwise); at 0.8 or more screening is skipped. " +
			"Run-count tables: Plackett–Burman 4⌈(k+1)/4⌉, DSD 2k+1, fractional factorial 2^k up to 4 factors, 16 for " +
			"5–7, 32 up to 11 and 64 above, Box–Behnken {3: 12, 4: 24, 5: 40, 6: 48, 7: 56} and CCD factorial " +
			"{2: 4, 3: 8, 4: 16, 5: 32, 6: 32, 7: 64} plus 2k axial runs, both plus centre points, D-optimal " +
			"⌈1.5·(1 + 2k + k(k−1)/2)⌉. With a budget, stages are split roughly 30/50/10 (domain-dependent) and a stage " +
			"is cut to its share. " +
			"Output: strategy_id (12 hex digits of a SHA-256 over the sorted factor, response and hard-to-change names, " +
			"the factor count, budget and domain, identical to the original tool's id for the same problem), stages " +
			"(stage_number, stage_name, design_type, design_params, factors, estimated_runs, purpose, success_criteria, " +
			"transition_rules of condition/action/fallback), total_estimated_runs, budget_allocation (runs per stage " +
			"name), assumptions, risks, alternative_strategies, domain, detail_level and reasoning. " +
			"Differences from the original tool: the plan never exceeds the budget (the original kept at least 3 runs per " +
			"stage and at least k+1 for screening even when the budget was smaller; here runs are cut from the " +
			"optimisation, then screening, then confirmation stage down to 1, and with a budget below the number of " +
			"stages the optimisation and then the screening stage are dropped, and a risk says so); at most 50 factors; " +
			"factor names must be distinct and every hard-to-change factor must be one of them; unknown keys in a factor, " +
			"response or constraint are refused; prior_knowledge over 4096 characters is input_too_large.",
		Schema: strategySchema,
		Check: func(input json.RawMessage) error {
			_, err := decodeStrategy(input)
			return err
		},
		Example: `{"factors": [{"name": "A", "low": 0, "high": 100}, {"name": "B", "low": 0, "high": 100}, ` +
			`{"name": "C", "low": 0, "high": 100}, {"name": "D", "low": 0, "high": 100}, {"name": "E", "low": 0, "high": 100}, ` +
			`{"name": "F", "low": 0, "high": 100}, {"name": "G", "low": 0, "high": 100}], "budget": 40, "domain": "general"}`,
		Run: runRecommendStrategy,
	}
}

// strategyFactor is the seed's Factor.
type strategyFactor struct {
	Name   string   `json:"name"`
	Type   string   `json:"type"`
	Low    *float64 `json:"low"`
	High   *float64 `json:"high"`
	Levels []any    `json:"levels"`
	Units  string   `json:"units"`
}

func (f strategyFactor) kind() string {
	if f.Type == "" {
		return "continuous"
	}
	return f.Type
}

type strategyResponse struct {
	Name       string   `json:"name"`
	Goal       string   `json:"goal"`
	Target     *float64 `json:"target"`
	Low        *float64 `json:"low"`
	High       *float64 `json:"high"`
	Units      string   `json:"units"`
	Importance *float64 `json:"importance"`
}

type strategyConstraint struct {
	Expression string `json:"expression"`
	Type       string `json:"type"`
}

type strategyInput struct {
	Factors        []strategyFactor     `json:"factors"`
	Responses      []strategyResponse   `json:"responses"`
	Budget         *float64             `json:"budget"` // an integer; JSON Schema also admits 40.0
	Constraints    []strategyConstraint `json:"constraints"`
	HardToChange   []string             `json:"hard_to_change_factors"`
	PriorKnowledge string               `json:"prior_knowledge"`
	ExistingData   []map[string]any     `json:"existing_data"`
	Domain         string               `json:"domain"`
	DetailLevel    string               `json:"detail_level"`
}

// decodeStrategy decodes and validates the input (the schema has already
// checked types and enums where the registry runs it; the checks are
// repeated so that Run is safe on its own).
func decodeStrategy(input json.RawMessage) (*strategyProblem, error) {
	in := strategyInput{Domain: "general", DetailLevel: "intermediate"}
	if err := tool.Decode(input, &in); err != nil {
		return nil, err
	}
	if len(in.Factors) == 0 {
		return nil, tool.Invalidf("factors must list at least one factor").With("key", "factors")
	}
	if len(in.Factors) > maxStrategyFactors {
		return nil, errcode.New(errcode.InputTooLarge, "factors has %d entries; the most is %d", len(in.Factors), maxStrategyFactors).
			With("key", "factors").With("observed", len(in.Factors)).With("limit", maxStrategyFactors)
	}
	seen := map[string]bool{}
	for i, f := range in.Factors {
		if f.Name == "" {
			return nil, tool.Invalidf("factor %d has no name", i).With("key", "factors")
		}
		if seen[f.Name] {
			return nil, tool.Invalidf("factor name %q appears twice", f.Name).With("key", "factors")
		}
		seen[f.Name] = true
		switch f.kind() {
		case "continuous":
			if f.Low == nil || f.High == nil {
				return nil, tool.Invalidf("Factor '%s': continuous factors require 'low' and 'high'.", f.Name).With("key", "factors")
			}
			if !(*f.Low < *f.High) {
				return nil, tool.Invalidf("Factor '%s': 'low' (%v) must be less than 'high' (%v).", f.Name, *f.Low, *f.High).With("key", "factors")
			}
		case "categorical":
			if len(f.Levels) < 2 {
				return nil, tool.Invalidf("Factor '%s': categorical factors require 'levels' with at least 2 entries.", f.Name).With("key", "factors")
			}
		case "mixture":
		default:
			return nil, tool.Invalidf("Factor '%s': unknown type %q", f.Name, f.Type).With("key", "factors")
		}
	}
	responses := make([]string, 0, len(in.Responses))
	for i, r := range in.Responses {
		if r.Name == "" {
			return nil, tool.Invalidf("response %d has no name", i).With("key", "responses")
		}
		switch r.Goal {
		case "", "maximize", "minimize":
		case "target":
			if r.Target == nil {
				return nil, tool.Invalidf("Response '%s': goal='target' requires a 'target' value.", r.Name).With("key", "responses")
			}
		default:
			return nil, tool.Invalidf("Response '%s': unknown goal %q", r.Name, r.Goal).With("key", "responses")
		}
		responses = append(responses, r.Name)
	}
	p := &strategyProblem{
		factors:        in.Factors,
		responses:      responses,
		hasConstraints: len(in.Constraints) > 0,
		domain:         in.Domain,
		detailLevel:    in.DetailLevel,
	}
	if in.Budget != nil {
		b := *in.Budget
		if b != math.Trunc(b) || b < 1 {
			return nil, tool.Invalidf("budget must be a positive integer, not %v", b).With("key", "budget")
		}
		if b > math.MaxInt32 {
			return nil, errcode.New(errcode.InputTooLarge, "budget %v is too large", b).With("key", "budget")
		}
		n := int(b)
		p.budget = &n
	}
	for _, name := range in.HardToChange {
		if !seen[name] {
			return nil, tool.Invalidf("hard-to-change factor %q is not one of the factors", name).With("key", "hard_to_change_factors")
		}
		if slices.Contains(p.hardToChange, name) {
			return nil, tool.Invalidf("hard-to-change factor %q is listed twice", name).With("key", "hard_to_change_factors")
		}
		p.hardToChange = append(p.hardToChange, name)
	}
	text := strings.TrimSpace(in.PriorKnowledge)
	if n := utf8.RuneCountInString(text); n > maxPriorKnowledge {
		return nil, errcode.New(errcode.InputTooLarge,
			"prior_knowledge text is %d characters; the maximum is %d. Trim the input to its relevant prose.", n, maxPriorKnowledge).
			With("key", "prior_knowledge").With("observed", n).With("limit", maxPriorKnowledge)
	}
	p.priorText = text
	if _, ok := strategyDomains[p.domain]; !ok {
		return nil, tool.Invalidf("Unknown domain %q. Valid domains: %v", p.domain, strategyDomainNames).With("key", "domain")
	}
	if p.detailLevel != "novice" && p.detailLevel != "intermediate" {
		return nil, tool.Invalidf("detail_level must be 'novice' or 'intermediate', got %q.", p.detailLevel).With("key", "detail_level")
	}
	return p, nil
}

// strategyResult is the seed's ExperimentalStrategy, in its field order.
type strategyResult struct {
	StrategyID            string           `json:"strategy_id"`
	Stages                []*strategyStage `json:"stages"`
	TotalEstimatedRuns    int              `json:"total_estimated_runs"`
	BudgetAllocation      pydict.Dict      `json:"budget_allocation"`
	Assumptions           []string         `json:"assumptions"`
	Risks                 []string         `json:"risks"`
	AlternativeStrategies []string         `json:"alternative_strategies"`
	Domain                string           `json:"domain"`
	DetailLevel           string           `json:"detail_level"`
	Reasoning             []string         `json:"reasoning"`
}

func runRecommendStrategy(_ context.Context, input json.RawMessage) (any, error) {
	p, err := decodeStrategy(input)
	if err != nil {
		return nil, err
	}
	return recommendStrategy(p), nil
}

// recommendStrategy is the seed's recommend_strategy.
func recommendStrategy(p *strategyProblem) strategyResult {
	prior := strategyParsePrior(p.priorText)
	domain := strategyDomains[p.domain]
	class := strategyClassify(p, prior)

	var stages []*strategyStage
	screening := strategyScreening(p, class, domain)
	if screening != nil {
		stages = append(stages, screening)
	}
	if rsm := strategyRSM(p, class, domain, screening != nil); rsm != nil {
		stages = append(stages, rsm)
	}
	stages = append(stages, strategyConfirmation(p, domain.minConfirmation))
	strategySplitPlot(stages, p)
	// The seed's _apply_prior_knowledge drops screening at a confidence of
	// 0.8 or more with supporting data; screening is never chosen at that
	// confidence, so only the renumbering below remains of it.

	var needsScreening, needsRSM bool
	screeningDesign, rsmDesign := "plackett_burman", "box_behnken"
	for _, s := range stages {
		switch s.StageName {
		case stageScreening:
			needsScreening, screeningDesign = true, s.DesignType
		case stageOptimization:
			needsRSM, rsmDesign = true, s.DesignType
		}
	}
	alloc := strategyAllocate(p.budget, len(p.factors), needsScreening, needsRSM, screeningDesign, rsmDesign,
		domain.weights, domain.minConfirmation, domain.minCentrePoints)
	warnings := alloc.warnings
	if p.budget != nil {
		// The seed's _apply_budget_constraints.
		for _, s := range stages {
			share := map[string]int{stageScreening: alloc.screening, stageOptimization: alloc.optimization,
				stageConfirmation: alloc.confirmation}[s.StageName]
			if share < s.EstimatedRuns {
				s.EstimatedRuns = max(share, 3)
			}
		}
		var risk string
		if stages, risk = strategyFitBudget(stages, *p.budget); risk != "" {
			warnings = append(slices.Clone(warnings), risk)
		}
	}

	total := 0
	var byStage pydict.Dict
	for i, s := range stages {
		s.StageNumber = i + 1
		total += s.EstimatedRuns
		byStage.Set(s.StageName, s.EstimatedRuns)
	}
	return strategyResult{
		StrategyID:            strategyID(p),
		Stages:                stages,
		TotalEstimatedRuns:    total,
		BudgetAllocation:      byStage,
		Assumptions:           strategyAssumptions(prior, screening != nil),
		Risks:                 strategyRisks(p, class, warnings),
		AlternativeStrategies: strategyAlternatives(p, len(p.factors)),
		Domain:                p.domain,
		DetailLevel:           p.detailLevel,
		Reasoning:             strategyReasoning(p, prior, stages, domain),
	}
}
