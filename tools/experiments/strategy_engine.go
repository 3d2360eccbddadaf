package experiments

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/toolq/toolq/tools/internal/pydict"
	"github.com/toolq/toolq/tools/internal/pyfmt"
)

// The rule engine of recommend_strategy: the seed's
// experiments/strategy/engine.py, rule for rule, plus one change: the plan
// always fits the budget (strategyFitBudget).

// strategyProblem is the seed's DOEProblemSpec after validation.
type strategyProblem struct {
	factors        []strategyFactor
	responses      []string // names
	budget         *int
	hasConstraints bool
	hardToChange   []string
	priorText      string
	domain         string
	detailLevel    string
}

func (p *strategyProblem) factorNames() []string {
	names := make([]string, len(p.factors))
	for i, f := range p.factors {
		names[i] = f.Name
	}
	return names
}

func (p *strategyProblem) count(kind string) int {
	n := 0
	for _, f := range p.factors {
		if f.kind() == kind {
			n++
		}
	}
	return n
}

// strategyPrior is the part of the seed's PriorKnowledge that reaches the
// output. (The seed also extracts the factor names the text calls
// significant, but no rule reads them.)
type strategyPrior struct {
	confidence        float64
	hasSupportingData bool
}

// The seed's keyword patterns, with Python's Unicode \b, \s and
// re.IGNORECASE spelled out for RE2: a word character is a letter, a
// digit or "_", and whitespace is what str.isspace accepts.
const (
	pyWord       = `\p{L}\p{N}_`
	pyWhitespace = `\t\n\v\f\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}`
)

// strategyKeywords builds `\b(alternatives)\b` with \s replaced, inside a
// character class ([-\s]) or outside.
func strategyKeywords(alternatives string) *regexp.Regexp {
	alternatives = strings.ReplaceAll(alternatives, `[-\s]`, `[-`+pyWhitespace+`]`)
	alternatives = strings.ReplaceAll(alternatives, `\s`, `[`+pyWhitespace+`]`)
	return regexp.MustCompile(`(?i)(?:^|[^` + pyWord + `])(?:` + alternatives + `)(?:[^` + pyWord + `]|$)`)
}

var (
	strategyHighWords   = strategyKeywords(`confirmed|validated|published|well[-\s]established|proven|known\s+to\s+be\s+significant`)
	strategyMediumWords = strategyKeywords(`literature\s+suggests?|preliminary\s+data|pilot\s+study|some\s+evidence|reported`)
	strategyLowWords    = strategyKeywords(`suspect|expected|based\s+on\s+theory|similar\s+process|assume`)
	strategyNoWords     = strategyKeywords(`no\s+prior|first\s+time|unknown|exploratory|no\s+data|no\s+knowledge`)
)

// strategyParsePrior is the seed's _parse_prior_knowledge: the first
// pattern family that occurs, in the order no, low, medium, high, sets the
// confidence.
func strategyParsePrior(text string) strategyPrior {
	text = strings.TrimSpace(text)
	if text == "" {
		return strategyPrior{}
	}
	lower := strings.ToLower(text)
	switch {
	case strategyNoWords.MatchString(text):
		return strategyPrior{confidence: 0.1}
	case strategyLowWords.MatchString(text):
		return strategyPrior{confidence: 0.4}
	case strategyMediumWords.MatchString(text):
		return strategyPrior{confidence: 0.7, hasSupportingData: strings.Contains(lower, "data") || strings.Contains(lower, "study")}
	case strategyHighWords.MatchString(text):
		return strategyPrior{confidence: 0.9, hasSupportingData: true}
	}
	return strategyPrior{confidence: 0.3}
}

// strategyClass is the seed's _classify_problem, the fields the rules read.
type strategyClass struct {
	n               int
	priorConfidence float64
	tight           bool // under 4 runs per factor
	veryTight       bool // under 2.5 runs per factor
}

func strategyClassify(p *strategyProblem, prior strategyPrior) strategyClass {
	c := strategyClass{n: len(p.factors), priorConfidence: prior.confidence}
	if p.budget != nil {
		perFactor := float64(*p.budget) / float64(c.n)
		c.tight = perFactor < 4
		c.veryTight = perFactor < 2.5
	}
	return c
}

// strategyTransition is the seed's TransitionRule.
type strategyTransition struct {
	Condition string `json:"condition"`
	Action    string `json:"action"`
	Fallback  string `json:"fallback"`
}

// strategyStage is the seed's ExperimentalStage, in its field order.
type strategyStage struct {
	StageNumber     int                  `json:"stage_number"`
	StageName       string               `json:"stage_name"`
	DesignType      string               `json:"design_type"`
	DesignParams    pydict.Dict          `json:"design_params"`
	Factors         []string             `json:"factors"`
	EstimatedRuns   int                  `json:"estimated_runs"`
	Purpose         string               `json:"purpose"`
	SuccessCriteria pydict.Dict          `json:"success_criteria"`
	TransitionRules []strategyTransition `json:"transition_rules"`
}

const (
	stageScreening    = "Screening"
	stageOptimization = "Optimization"
	stageConfirmation = "Confirmation"
)

func strategyScreeningRules() []strategyTransition {
	return []strategyTransition{
		{"0-1 significant factors identified", "broaden_factor_ranges", "check_measurement_system"},
		{"2-5 significant factors identified", "proceed_to_optimization", "proceed_to_optimization"},
		{"6+ significant factors identified", "sub_group_factors", "run_additional_screening"},
		{"Curvature detected via center points", "augment_to_ccd", "proceed_to_optimization"},
	}
}

// strategyScreening is the seed's _select_screening_design; nil means no
// screening stage.
func strategyScreening(p *strategyProblem, c strategyClass, d strategyDomain) *strategyStage {
	n := c.n
	if n <= 2 || c.priorConfidence >= 0.8 {
		return nil
	}
	names := p.factorNames()
	nContinuous := p.count("continuous")
	if p.count("mixture") > 0 && nContinuous == 0 {
		return &strategyStage{
			StageName:       stageScreening,
			DesignType:      "simplex_lattice",
			DesignParams:    pydict.Dict{{"model", "scheffe_linear"}},
			Factors:         names,
			EstimatedRuns:   max(n+1, 6),
			Purpose:         "Screen mixture components to identify significant proportions.",
			SuccessCriteria: pydict.Dict{{"min_significant_factors", 1}},
			TransitionRules: strategyScreeningRules(),
		}
	}
	if n >= 3 && n <= 5 && nContinuous == n {
		design, runs := "full_factorial", strategyPow2(n)+3
		var resolution any
		if n == 5 {
			design, runs, resolution = "fractional_factorial", strategyScreeningRuns(n, "fractional_factorial")+3, 4
		}
		return &strategyStage{
			StageName:       stageScreening,
			DesignType:      design,
			DesignParams:    pydict.Dict{{"center_points", 3}, {"resolution", resolution}},
			Factors:         names,
			EstimatedRuns:   runs,
			Purpose:         "Screen " + strconv.Itoa(n) + " factors to identify significant main effects and interactions.",
			SuccessCriteria: pydict.Dict{{"min_significant_factors", 1}},
			TransitionRules: strategyScreeningRules(),
		}
	}

	var design string
	switch pref := d.screeningPreference; {
	case c.veryTight, d.preferCurvature, pref == "definitive_screening", c.priorConfidence >= 0.6:
		design = "definitive_screening"
	case pref == "plackett_burman" || (n >= 6 && !c.tight):
		design = "plackett_burman"
	case pref == "fractional_factorial":
		design = "fractional_factorial"
	default:
		design = "plackett_burman"
	}
	runs := strategyScreeningRuns(n, design)
	var params pydict.Dict
	switch design {
	case "fractional_factorial":
		runs += 3
		params = pydict.Dict{{"resolution", 4}, {"center_points", 3}}
	case "plackett_burman":
		params = pydict.Dict{{"center_points", 0}}
	case "definitive_screening":
		params = pydict.Dict{{"fake_factor", n%2 == 0}}
	}
	return &strategyStage{
		StageName:       stageScreening,
		DesignType:      design,
		DesignParams:    params,
		Factors:         names,
		EstimatedRuns:   runs,
		Purpose:         "Screen " + strconv.Itoa(n) + " candidate factors to identify the vital few.",
		SuccessCriteria: pydict.Dict{{"min_significant_factors", 1}, {"max_significant_factors", 5}},
		TransitionRules: strategyScreeningRules(),
	}
}

// strategyRSM is the seed's _select_rsm_design; nil means no optimisation
// stage.
func strategyRSM(p *strategyProblem, c strategyClass, d strategyDomain, hasScreening bool) *strategyStage {
	if len(p.responses) == 0 && c.n > 5 {
		return nil
	}
	k := c.n
	if hasScreening {
		k = min(k, 3)
	}
	if k < 2 {
		return nil
	}
	pref, centre := d.rsmPreference, d.minCentrePoints
	var design, purpose string
	var runs int
	switch {
	case p.hasConstraints:
		design, purpose = "d_optimal", "D-optimal RSM design for constrained factor space."
		runs = strategyRSMRuns(k, design, centre)
	case hasScreening && (pref == "ccd" || pref == "ccd_face_centered" || pref == ""):
		design = "ccd"
		if pref == "ccd_face_centered" {
			design = pref
		}
		runs = strategyRSMRuns(k, design, centre)
		purpose = "CCD augments the factorial base from screening with axial + center points."
	case pref == "box_behnken" || (!hasScreening && k >= 3 && k <= 7):
		design, purpose = "box_behnken", "BBD for response surface modeling - fewer runs, avoids extreme corners."
		runs = strategyRSMRuns(k, design, centre)
	default:
		design, purpose = "ccd", "CCD for full quadratic model with rotatability."
		runs = strategyRSMRuns(k, design, centre)
	}
	params := pydict.Dict{{"center_points", centre}}
	if strings.Contains(design, "ccd") {
		alpha := "rotatable"
		if design == "ccd_face_centered" {
			alpha = "face_centered"
		}
		params.Set("alpha", alpha)
	}
	label := "all " + strconv.Itoa(k) + " factors"
	if hasScreening {
		label = "the " + strconv.Itoa(k) + " significant factors"
	}
	return &strategyStage{
		StageName:       stageOptimization,
		DesignType:      design,
		DesignParams:    params,
		Factors:         slices.Clone(p.factorNames()[:k]),
		EstimatedRuns:   runs,
		Purpose:         "Fit quadratic response surface model for " + label + ". " + purpose,
		SuccessCriteria: pydict.Dict{{"min_r_squared", pyfmt.Float(0.7)}, {"adequate_precision", pyfmt.Float(4)}},
		TransitionRules: []strategyTransition{
			{"Model is adequate (R² > 0.7, adequate precision > 4)", "proceed_to_confirmation", "augment_design_or_transform_response"},
			{"Saddle point detected", "perform_ridge_analysis", "proceed_to_confirmation"},
		},
	}
}

// strategyConfirmation is the seed's _build_confirmation_stage.
func strategyConfirmation(p *strategyProblem, minConfirmation int) *strategyStage {
	runs := strategyConfirmationRuns(minConfirmation)
	return &strategyStage{
		StageName:     stageConfirmation,
		DesignType:    "replicates_at_optimum",
		DesignParams:  pydict.Dict{{"n_replicates", runs}},
		Factors:       p.factorNames(),
		EstimatedRuns: runs,
		Purpose: "Run replicates at the predicted optimum to verify the model predictions. " +
			"Compare observed vs. predicted using a confirmation test (prediction interval check).",
		SuccessCriteria: pydict.Dict{{"observed_within_prediction_interval", true}},
		TransitionRules: []strategyTransition{
			{"Observed values within prediction intervals", "accept_optimum", "investigate_discrepancy"},
		},
	}
}

// strategySplitPlot is the seed's _apply_split_plot.
func strategySplitPlot(stages []*strategyStage, p *strategyProblem) {
	if len(p.hardToChange) == 0 {
		return
	}
	for _, s := range stages {
		if s.StageName != stageScreening && s.StageName != stageOptimization {
			continue
		}
		params := slices.Clone(s.DesignParams)
		params.Set("split_plot", true)
		// The factor names are HTMLEscaped as they always were (see
		// pydict.HTMLEscaped).
		params.Set("whole_plot_factors", pydict.HTMLEscaped{V: slices.Clone(p.hardToChange)})
		sub := []string{}
		for _, f := range s.Factors {
			if !slices.Contains(p.hardToChange, f) {
				sub = append(sub, f)
			}
		}
		params.Set("subplot_factors", pydict.HTMLEscaped{V: sub})
		s.DesignParams = params
	}
}

// strategyID is the seed's _compute_strategy_id: the first 12 hex digits of
// the SHA-256 of Python's json.dumps(…, sort_keys=True) of the problem's
// identity.
func strategyID(p *strategyProblem) string {
	factors := p.factorNames()
	slices.Sort(factors)
	responses := slices.Clone(p.responses)
	slices.Sort(responses)
	htc := slices.Clone(p.hardToChange)
	slices.Sort(htc)
	if responses == nil {
		responses = []string{}
	}
	if htc == nil {
		htc = []string{}
	}
	var budget any
	if p.budget != nil {
		budget = *p.budget
	}
	b, err := pyJSONDumpsSorted(map[string]any{
		"factors": factors, "n_factors": len(p.factors), "responses": responses, "budget": budget,
		"domain": p.domain, "htc": htc,
	})
	if err != nil {
		panic(err) // the value types above are all supported
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:12]
}

func strategyAssumptions(prior strategyPrior, hasScreening bool) []string {
	out := []string{
		"Factor ranges are set wide enough to detect effects.",
		"Measurement system is adequate (repeatability << effect sizes).",
		"Runs are randomised to avoid confounding with lurking variables.",
	}
	if hasScreening {
		out = append(out,
			"Screening will identify 2-4 significant factors for optimisation.",
			"Effect sparsity: only a few factors dominate the response.",
			"Effect heredity: interactions are only important if parent main effects are active.")
	}
	if prior.confidence >= 0.6 {
		out = append(out, "Prior knowledge is reliable and applicable to the current experimental conditions.")
	}
	return out
}

func strategyRisks(p *strategyProblem, c strategyClass, warnings []string) []string {
	risks := slices.Clone(warnings)
	if c.tight {
		risks = append(risks, "Tight budget may result in underpowered designs with low effect detection probability.")
	}
	if len(p.hardToChange) > 0 {
		risks = append(risks, "Hard-to-change factors require split-plot analysis; standard ANOVA gives incorrect p-values.")
	}
	if p.count("mixture") > 0 {
		risks = append(risks, "Mixture constraints require specialised designs and Scheffe polynomial models.")
	}
	if c.n >= 8 {
		risks = append(risks, "With 8+ factors, screening may miss important interactions (resolution III/IV limitation).")
	}
	if len(risks) == 0 {
		risks = append(risks, "Standard risks: ensure randomisation, verify measurement system, check for outliers.")
	}
	return risks
}

func strategyAlternatives(p *strategyProblem, n int) []string {
	out := []string{}
	if n >= 6 {
		out = append(out, "Definitive Screening Design ("+strconv.Itoa(2*n+1)+" runs) to combine screening and curvature detection.")
	}
	if n <= 5 {
		out = append(out, "Full factorial 2^"+strconv.Itoa(n)+" ("+strconv.Itoa(strategyPow2(n))+" runs) if budget allows complete information.")
	}
	if n >= 4 {
		out = append(out, "I-optimal design for better prediction variance at the cost of simpler interpretation.")
	}
	if p.count("mixture") > 0 {
		out = append(out, "D-optimal mixture design if simplex lattice is too restrictive.")
	}
	return out
}

func strategyReasoning(p *strategyProblem, prior strategyPrior, stages []*strategyStage, d strategyDomain) []string {
	n := len(p.factors)
	out := []string{"Problem: " + strconv.Itoa(n) + " factors, " + strconv.Itoa(len(p.responses)) +
		" response(s), domain=" + p.domain + "."}
	if p.budget != nil {
		out = append(out, "Budget: "+strconv.Itoa(*p.budget)+" total runs ("+
			pyfmt.Fixed(float64(*p.budget)/float64(n), 1)+" runs per factor).")
	} else {
		out = append(out, "No budget constraint - recommending ideal allocation.")
	}
	if prior.confidence > 0 {
		next := "Using prior knowledge to inform design choices."
		if prior.confidence >= 0.8 {
			next = "Skipping screening - going directly to RSM."
		}
		out = append(out, "Prior knowledge confidence: "+pyfmt.Fixed(prior.confidence, 1)+". "+next)
	}
	for _, s := range stages {
		out = append(out, "Stage "+strconv.Itoa(s.StageNumber)+" ("+s.StageName+"): "+s.DesignType+", "+
			strconv.Itoa(s.EstimatedRuns)+" runs. "+s.Purpose)
	}
	if note := d.notes[p.detailLevel]; note != "" {
		out = append(out, "Domain note ("+p.domain+"): "+note)
	}
	return out
}

// strategyFitBudget makes the plan fit the budget, which the seed does not
// guarantee: it lowers a stage's runs to the allocation but never below 3,
// and its allocation can give the screening stage k+1 runs whatever the
// budget. Runs are taken first from the optimisation stage, then from
// screening, then from confirmation, down to one run each; if the budget is
// smaller than the number of stages, the optimisation and then the
// screening stage are dropped. It returns the stages kept and a risk
// statement, or "" if nothing had to change.
func strategyFitBudget(stages []*strategyStage, budget int) ([]*strategyStage, string) {
	total := 0
	for _, s := range stages {
		total += s.EstimatedRuns
	}
	if total <= budget {
		return stages, ""
	}
	need := total
	excess := total - budget
	for _, name := range []string{stageOptimization, stageScreening, stageConfirmation} {
		for _, s := range stages {
			if s.StageName == name && excess > 0 {
				cut := min(excess, s.EstimatedRuns-1)
				s.EstimatedRuns -= cut
				excess -= cut
			}
		}
	}
	for _, name := range []string{stageOptimization, stageScreening} {
		if excess <= 0 {
			break
		}
		for i, s := range stages {
			if s.StageName == name {
				excess -= s.EstimatedRuns
				stages = slices.Delete(stages, i, i+1)
				break
			}
		}
	}
	return stages, "The stages need " + strconv.Itoa(need) + " runs but the budget is " + strconv.Itoa(budget) +
		": their run counts were cut to fit it, so these designs are incomplete; plan for more runs if at all possible."
}
