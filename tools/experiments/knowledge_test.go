package experiments

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/tool"
)

type kbTestResult struct {
	Results []map[string]any `json:"results"`
	Query   string           `json:"query"`
	Topic   string           `json:"topic"`
	Detail  string           `json:"detail_level"`
	N       int              `json:"n_results"`
}

func kbRun(t *testing.T, input string) (kbTestResult, error) {
	t.Helper()
	d := doeKnowledgeDef()
	if err := d.Check(json.RawMessage(input)); err != nil {
		return kbTestResult{}, err
	}
	v, err := d.Run(context.Background(), json.RawMessage(input))
	if err != nil {
		return kbTestResult{}, err
	}
	b, err := tool.Marshal(v)
	if err != nil {
		t.Fatalf("result does not encode: %v", err)
	}
	var r kbTestResult
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("result %s: %v", b, err)
	}
	if r.N != len(r.Results) {
		t.Fatalf("n_results %d, %d results", r.N, len(r.Results))
	}
	return r, nil
}

func kbIDs(r kbTestResult) []string {
	var ids []string
	for _, x := range r.Results {
		ids = append(ids, x["id"].(string))
	}
	return ids
}

func kbLoad(t *testing.T) *knowledgeBase {
	t.Helper()
	kb, err := loadKnowledge()
	if err != nil {
		t.Fatal(err)
	}
	return kb
}

// TestKnowledgeGolden is the seed's documented example (seed-spec §6.4).
func TestKnowledgeGolden(t *testing.T) {
	t.Parallel()
	r, err := kbRun(t, `{"query": "resolution", "topic": "statistical_concepts"}`)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Results) == 0 || r.Results[0]["title"] != "Design Resolution" {
		t.Fatalf("results %v, want Design Resolution first", kbIDs(r))
	}
	if r.Query != "resolution" || r.Topic != "statistical_concepts" || r.Detail != "intermediate" {
		t.Errorf("echo %+v", r)
	}
	first := r.Results[0]
	if first["type"] != "concept" || !strings.Contains(first["content"].(string), "shortest word") || first["related_to"] == nil {
		t.Errorf("entry %v", first)
	}
}

// TestKnowledgeContent checks the knowledge base itself: size, complete
// entries at every detail level, unique ids, searchable keywords and
// references that resolve.
func TestKnowledgeContent(t *testing.T) {
	t.Parallel()
	kb := kbLoad(t)
	if n := len(kb.nodes); n < 40 {
		t.Fatalf("%d entries, want at least 40", n)
	}
	if len(kb.designTypes) < 10 || len(kb.rules) < 8 || len(kb.diagnostics) < 8 || len(kb.concepts) < 20 || len(kb.guides) < 5 || len(kb.examples) < 3 {
		t.Errorf("sizes: %d design types, %d rules, %d diagnostics, %d concepts, %d guides, %d examples",
			len(kb.designTypes), len(kb.rules), len(kb.diagnostics), len(kb.concepts), len(kb.guides), len(kb.examples))
	}
	ids := map[string]bool{}
	for _, n := range kb.nodes {
		if ids[n.id] {
			t.Errorf("id %s twice", n.id)
		}
		ids[n.id] = true
		if len(n.strong) == 0 || len(n.weak) == 0 {
			t.Errorf("%s: nothing to search", n.id)
		}
	}
	levels := func(id string, m map[string]string) {
		for _, l := range []string{"novice", "intermediate", "expert"} {
			if len(strings.Fields(m[l])) < 8 {
				t.Errorf("%s: %s text missing or too short", id, l)
			}
		}
	}
	keywords := func(id string, kw []string) {
		if len(kw) < 2 {
			t.Errorf("%s: %d keywords", id, len(kw))
		}
		for _, k := range kw {
			if len(kbTokens(k)) == 0 {
				t.Errorf("%s: keyword %q has no searchable word", id, k)
			}
		}
	}
	designIDs := map[string]bool{}
	for _, d := range kb.designTypes {
		designIDs[d.ID] = true
		levels(d.ID, d.Description)
		keywords(d.ID, d.Keywords)
		if d.DisplayName == "" || d.Category == "" || len(d.SuitableFor) == 0 || len(d.Advantages) == 0 || len(d.Disadvantages) == 0 ||
			len(d.References) == 0 || len(d.SupportsModels) == 0 || d.Properties == nil || d.MinRuns == nil || d.CanAugmentTo == nil ||
			d.CommonMisconceptions == nil {
			t.Errorf("%s: incomplete design type", d.ID)
		}
	}
	for _, r := range kb.rules {
		levels(r.ID, r.Explanation)
		keywords(r.ID, r.Keywords)
		var rec struct {
			Primary      string `json:"primary"`
			Rationale    string `json:"rationale"`
			Alternatives []struct{ Design, Rationale string }
		}
		if err := json.Unmarshal(r.Recommend, &rec); err != nil || !designIDs[rec.Primary] || rec.Rationale == "" || len(rec.Alternatives) == 0 {
			t.Errorf("%s: recommendation %s (%v)", r.ID, r.Recommend, err)
		}
		if len(r.Conditions) == 0 || r.Topic != "design_selection" {
			t.Errorf("%s: %d conditions, topic %s", r.ID, len(r.Conditions), r.Topic)
		}
		for _, c := range r.Conditions {
			if _, ok := kbContextKinds[c.Key]; !ok || !slices.Contains([]string{"==", "!=", ">=", "<=", ">", "<", "in"}, c.Op) {
				t.Errorf("%s: condition %+v", r.ID, c)
			}
		}
	}
	for _, d := range kb.diagnostics {
		keywords(d.ID, d.Keywords)
		var ind, rem []map[string]string
		if json.Unmarshal(d.Indicates, &ind) != nil || json.Unmarshal(d.Remedies, &rem) != nil || len(ind) == 0 || len(rem) < 2 ||
			!slices.Contains([]string{"low", "moderate", "high"}, d.Severity) || d.VisualPattern == "" {
			t.Errorf("%s: incomplete diagnostic", d.ID)
		}
	}
	for _, c := range kb.concepts {
		levels(c.ID, c.Content)
		keywords(c.ID, c.Keywords)
		if !kbTopics[c.Topic] || c.Topic == "" {
			t.Errorf("%s: topic %q", c.ID, c.Topic)
		}
		for _, rel := range c.RelatedTo {
			if !ids[rel] {
				t.Errorf("%s: related_to %s does not exist", c.ID, rel)
			}
		}
	}
	for _, g := range kb.guides {
		levels(g.ID, g.Content)
		keywords(g.ID, g.Keywords)
	}
	for _, e := range kb.examples {
		keywords(e.ID, e.Keywords)
		if len(e.Steps) < 3 || e.Scenario == "" {
			t.Errorf("%s: incomplete example", e.ID)
		}
		for _, d := range e.Demonstrates {
			if !ids[d] {
				t.Errorf("%s: demonstrates %s, which does not exist", e.ID, d)
			}
		}
	}
}

// TestKnowledgeExactKeywordFirst: searching for any entry's keyword (or
// title) ranks first an entry that has that exact keyword, and the entry
// itself when no other entry shares the keyword.
func TestKnowledgeExactKeywordFirst(t *testing.T) {
	t.Parallel()
	kb := kbLoad(t)
	owners := map[string][]string{}
	for _, n := range kb.nodes {
		for p := range n.phrases {
			owners[p] = append(owners[p], n.id)
		}
	}
	checked := 0
	for _, n := range kb.nodes {
		if n.kind == kbKindRule {
			continue // rules are matched by context, not searched
		}
		for p := range n.phrases {
			hits := kb.search(p, func(m *kbNode) bool { return m.kind != kbKindRule })
			if len(hits) == 0 {
				t.Fatalf("%q finds nothing", p)
			}
			top := hits[0].node
			if !top.phrases[p] {
				t.Errorf("%q: first hit %s does not have it as a keyword (want %v)", p, top.id, owners[p])
			}
			if len(owners[p]) == 1 && top != n {
				t.Errorf("%q: first hit %s, want %s", p, top.id, n.id)
			}
			checked++
		}
	}
	if checked < 200 {
		t.Fatalf("only %d keywords checked", checked)
	}
}

func TestKnowledgeSearch(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		input string
		first []string // the leading ids, in order
		all   []string // ids that must be among the results
	}{
		{input: `{"query": "What is design resolution?", "topic": "statistical_concepts"}`, first: []string{"design_resolution"}},
		{input: `{"query": "funnel shaped residuals", "topic": "troubleshooting"}`, first: []string{"funnel_residuals"}},
		{input: `{"query": "My residuals drift over run order", "topic": "diagnostics"}`, first: []string{"time_trend_residuals"}},
		{input: `{"query": "Box-Behnken CCD comparison", "topic": "design_types"}`, all: []string{"box_behnken", "ccd"}},
		{input: `{"query": "aliasing", "topic": "design_properties"}`, first: []string{"aliasing"}},
		{input: `{"query": "how many runs do I need to detect an effect", "topic": "statistical_concepts"}`, first: []string{"sample_size_power"}},
		{input: `{"query": "hard to change factors"}`, first: []string{"split_plot"}},
		{input: `{"query": "blocking"}`, first: []string{"blocking"}},
		{input: `{"query": "mixture", "topic": "worked_examples"}`, first: []string{"three_component_mixture"}},
		{input: `{"query": "Lenth PSE", "topic": "analysis_methods"}`, first: []string{"lenth_method"}},
		{input: `{"query": "desirability", "topic": "optimization"}`, first: []string{"desirability"}},
		{input: `{"query": "pitfalls"}`, first: []string{"common_pitfalls"}},
		{input: `{"query": "definitive screening design", "topic": "design_selection"}`, first: []string{"definitive_screening"}},
	} {
		r, err := kbRun(t, tc.input)
		if err != nil {
			t.Fatalf("%s: %v", tc.input, err)
		}
		ids := kbIDs(r)
		if len(ids) < len(tc.first) || !slices.Equal(ids[:len(tc.first)], tc.first) {
			t.Errorf("%s: results %v, want %v first", tc.input, ids, tc.first)
		}
		for _, id := range tc.all {
			if !slices.Contains(ids, id) {
				t.Errorf("%s: results %v lack %s", tc.input, ids, id)
			}
		}
		if r.Topic == "" && len(ids) > kbGenericLimit {
			t.Errorf("%s: %d results", tc.input, len(ids))
		}
	}
}

func TestKnowledgeDesignSelection(t *testing.T) {
	t.Parallel()
	r, err := kbRun(t, `{"query": "screening 7 factors 15 runs", "topic": "design_selection", "context": {"n_factors": 7, "budget": 15, "goal": "screening"}}`)
	if err != nil {
		t.Fatal(err)
	}
	if ids := kbIDs(r); !slices.Equal(ids, []string{"screen_many_factors_small_budget", "screen_moderate_factors"}) {
		t.Fatalf("rules %v", ids)
	}
	rule := r.Results[0]
	rec := rule["recommendation"].(map[string]any)
	if rule["type"] != "decision_rule" || rec["primary"] != "plackett_burman" || rule["explanation"] == "" || rule["description"] == "" {
		t.Errorf("rule %v", rule)
	}
	for input, want := range map[string][]string{
		`{"topic": "design_selection", "context": {"has_hard_to_change": true}}`:                                        {"hard_to_change_split_plot"},
		`{"topic": "design_selection", "context": {"goal": "optimization", "n_factors": 2}}`:                            {"optimize_two_factors"},
		`{"topic": "design_selection", "context": {"goal": "optimization", "n_factors": 3, "sequential": false}}`:       {"optimize_fresh_box_behnken"},
		`{"topic": "design_selection", "context": {"goal": "characterization", "n_factors": 3}}`:                        {"few_factors_full_factorial"},
		`{"topic": "design_selection", "context": {"n_factors": 10, "budget": 6}}`:                                      {"budget_below_factor_count"},
		`{"topic": "design_selection", "context": {"goal": "robustness", "is_mixture": true, "has_constraints": true}}`: {"mixture_components", "constrained_region_optimal", "robustness_check"},
	} {
		r, err := kbRun(t, input)
		if err != nil {
			t.Fatal(err)
		}
		if ids := kbIDs(r); !slices.Equal(ids, want) {
			t.Errorf("%s: rules %v, want %v", input, ids, want)
		}
	}
	// No rule matches: the design types matching the query, at most 5.
	r, err = kbRun(t, `{"query": "response surface quadratic", "topic": "design_selection", "context": {"goal": "screening", "n_factors": 30, "budget": 100}}`)
	if err != nil {
		t.Fatal(err)
	}
	ids := kbIDs(r)
	if len(ids) == 0 || len(ids) > kbSelectionLimit || r.Results[0]["type"] != "design_type" || r.Results[0]["min_runs"] == nil {
		t.Fatalf("fallback %v", r.Results)
	}
	// Neither a matching rule nor a query: nothing.
	if r, _ := kbRun(t, `{"topic": "design_selection"}`); r.N != 0 {
		t.Errorf("empty design_selection returned %v", kbIDs(r))
	}
}

func TestKnowledgeListingsAndLevels(t *testing.T) {
	t.Parallel()
	kb := kbLoad(t)
	for input, want := range map[string]int{
		`{"topic": "troubleshooting"}`:      len(kb.diagnostics),
		`{"topic": "statistical_concepts"}`: len(kb.concepts),
		`{"topic": "design_types"}`:         len(kb.designTypes),
		`{"topic": "worked_examples"}`:      len(kb.examples),
		`{}`:                                0,
		`{"query": "zzz qqq"}`:              0,
		`{"query": "a an of"}`:              0,
	} {
		r, err := kbRun(t, input)
		if err != nil {
			t.Fatal(err)
		}
		if r.N != want {
			t.Errorf("%s: %d results, want %d", input, r.N, want)
		}
	}
	r, _ := kbRun(t, `{"topic": "design_properties"}`)
	for _, x := range r.Results {
		if x["type"] != "concept" {
			t.Errorf("design_properties returned %v", x)
		}
	}
	var texts []string
	for _, level := range []string{"novice", "intermediate", "expert"} {
		r, err := kbRun(t, `{"query": "randomization", "topic": "statistical_concepts", "detail_level": "`+level+`"}`)
		if err != nil {
			t.Fatal(err)
		}
		if r.Detail != level || r.Results[0]["id"] != "randomization" {
			t.Fatalf("%s: %v", level, kbIDs(r))
		}
		texts = append(texts, r.Results[0]["content"].(string))
	}
	if texts[0] == texts[1] || texts[1] == texts[2] {
		t.Errorf("detail levels give the same text")
	}
	if got := kbDetail(map[string]string{"expert": " e "}, "novice"); got != "e" {
		t.Errorf("fallback %q", got)
	}
	if got := kbDetail(map[string]string{"novice": "n", "expert": "e"}, "intermediate"); got != "n" {
		t.Errorf("fallback %q, want novice before expert", got)
	}
}

func TestKnowledgeTokens(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][]string{
		"What is Design Resolution?":   {"design", "resolution"},
		"Box-Behnken vs. CCD":          {"box", "behnken", "ccd"},
		"funnel-shaped residuals":      {"funnel", "shaped", "residual"},
		"properties of 2^(k-p) series": {"property", "series"},
		"analysis of variance status":  {"analysis", "variance", "status"},
		"ÉTÉ déjà_vu":                  {"_vu"}, // ASCII runs only, "_" included, as in the seed
	} {
		if got := kbTokens(in); !slices.Equal(got, want) {
			t.Errorf("%q: %v, want %v", in, got, want)
		}
	}
}

func TestKnowledgeMatch(t *testing.T) {
	t.Parallel()
	ctx := map[string]any{"n_factors": 7.0, "goal": "screening", "sequential": false}
	for _, tc := range []struct {
		c    kbCondition
		want bool
	}{
		{kbCondition{"n_factors", ">=", 7.0}, true},
		{kbCondition{"n_factors", ">", 7.0}, false},
		{kbCondition{"n_factors", "<", 8.0}, true},
		{kbCondition{"n_factors", "<=", 6.0}, false},
		{kbCondition{"n_factors", "==", 7.0}, true},
		{kbCondition{"n_factors", "!=", 7.0}, false},
		{kbCondition{"goal", "in", []any{"optimization", "screening"}}, true},
		{kbCondition{"goal", "in", "screening"}, false},
		{kbCondition{"goal", ">=", 1.0}, false},
		{kbCondition{"sequential", "==", false}, true},
		{kbCondition{"sequential", "==", 0.0}, false},
		{kbCondition{"budget", "!=", 3.0}, false}, // missing key
		{kbCondition{"n_factors", "~", 7.0}, false},
	} {
		if got := kbMatch(tc.c, ctx); got != tc.want {
			t.Errorf("%+v: %v, want %v", tc.c, got, tc.want)
		}
	}
}

func TestKnowledgeInvalid(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		`{"topic": "cooking"}`,
		`{"detail_level": "guru"}`,
		`{"context": {"colour": "red"}}`,
		`{"context": {"n_factors": "seven"}}`,
		`{"context": {"sequential": 1}}`,
		`{"query": 3}`,
		`{"extra": true}`,
		`[]`,
	} {
		_, err := kbRun(t, in)
		var e *errcode.Error
		if !errors.As(err, &e) || e.Code != errcode.InputInvalid {
			t.Errorf("%s: error %v, want input_invalid", in, err)
		}
	}
}
