package experiments

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// The knowledge base behind doe_knowledge. Its text was written for this
// project (the seed's YAML files were not copied); it keeps the seed's
// structure: design types, decision rules, residual diagnostics,
// statistical concepts, interpretation guides and worked examples, with
// detail levels and topics. Every entry also lists keywords.

//go:embed knowledge/*.json
var kbFiles embed.FS

// kbLevels are the detail levels, in the order the seed falls back
// through when the requested one is missing (after the requested one).
var kbLevels = []string{"intermediate", "novice", "expert"}

type kbDesignType struct {
	ID                   string            `json:"id"`
	DisplayName          string            `json:"display_name"`
	Category             string            `json:"category"`
	Keywords             []string          `json:"keywords"`
	Description          map[string]string `json:"description"`
	SuitableFor          []string          `json:"suitable_for"`
	Properties           json.RawMessage   `json:"properties"`
	MinRuns              json.RawMessage   `json:"min_runs"`
	SupportsModels       []string          `json:"supports_models"`
	CanAugmentTo         json.RawMessage   `json:"can_augment_to"`
	Advantages           []string          `json:"advantages"`
	Disadvantages        []string          `json:"disadvantages"`
	CommonMisconceptions []string          `json:"common_misconceptions"`
	References           []string          `json:"references"`
}

type kbCondition struct {
	Key   string `json:"key"`
	Op    string `json:"op"`
	Value any    `json:"value"`
}

type kbRule struct {
	ID          string            `json:"id"`
	Topic       string            `json:"topic"`
	Description string            `json:"description"`
	Keywords    []string          `json:"keywords"`
	Conditions  []kbCondition     `json:"conditions"`
	Recommend   json.RawMessage   `json:"recommend"`
	Explanation map[string]string `json:"explanation"`
}

type kbDiagnostic struct {
	ID            string          `json:"id"`
	DisplayName   string          `json:"display_name"`
	Keywords      []string        `json:"keywords"`
	VisualPattern string          `json:"visual_pattern"`
	Indicates     json.RawMessage `json:"indicates"`
	Remedies      json.RawMessage `json:"remedies"`
	Severity      string          `json:"severity"`
}

type kbConcept struct {
	ID        string            `json:"id"`
	Title     string            `json:"title"`
	Topic     string            `json:"topic"`
	Keywords  []string          `json:"keywords"`
	Content   map[string]string `json:"content"`
	RelatedTo []string          `json:"related_to"`
}

type kbGuide struct {
	ID       string            `json:"id"`
	Topic    string            `json:"topic"`
	Title    string            `json:"title"`
	Keywords []string          `json:"keywords"`
	Content  map[string]string `json:"content"`
}

type kbExample struct {
	ID           string   `json:"id"`
	Title        string   `json:"title"`
	Topic        string   `json:"topic"`
	Keywords     []string `json:"keywords"`
	Demonstrates []string `json:"demonstrates"`
	DetailLevel  string   `json:"detail_level"`
	Scenario     string   `json:"scenario"`
	Steps        []string `json:"steps"`
}

// Node kinds, as the seed names them in its keyword index.
const (
	kbKindDesignType = "design_type"
	kbKindRule       = "decision_rule"
	kbKindDiagnostic = "diagnostic"
	kbKindConcept    = "concept"
	kbKindGuide      = "interpretation"
	kbKindExample    = "worked_example"
)

// kbNode is one searchable entry.
type kbNode struct {
	kind, id string
	topics   []string        // the topics it is filed under
	strong   map[string]bool // tokens of its id, title and keywords
	weak     map[string]bool // tokens of its text
	phrases  map[string]bool // its id, title and keywords as normalised token strings
	entry    any             // *kbDesignType, *kbRule, …
	order    int             // position in the knowledge base, the tie-breaker
}

type knowledgeBase struct {
	designTypes []*kbDesignType
	rules       []*kbRule
	diagnostics []*kbDiagnostic
	concepts    []*kbConcept
	guides      []*kbGuide
	examples    []*kbExample
	// nodes are in the seed's index order (design types, diagnostics,
	// concepts, interpretation guides), then worked examples and decision
	// rules, which the seed did not index.
	nodes []*kbNode
}

// loadKnowledge parses the embedded files once. An error is a defect of
// the embedded data; a test loads it.
var loadKnowledge = sync.OnceValues(func() (*knowledgeBase, error) {
	kb := &knowledgeBase{}
	for _, f := range []struct {
		name string
		dst  any
	}{
		{"knowledge/design_types.json", &kb.designTypes},
		{"knowledge/decision_rules.json", &kb.rules},
		{"knowledge/diagnostics.json", &kb.diagnostics},
		{"knowledge/concepts.json", &kb.concepts},
		{"knowledge/interpretation_guides.json", &kb.guides},
		{"knowledge/worked_examples.json", &kb.examples},
	} {
		b, err := kbFiles.ReadFile(f.name)
		if err != nil {
			return nil, err
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(f.dst); err != nil {
			return nil, fmt.Errorf("%s: %w", f.name, err)
		}
	}
	kb.index()
	return kb, nil
})

func (kb *knowledgeBase) add(kind, id string, topics []string, entry any, strong, weak []string) {
	n := &kbNode{kind: kind, id: id, topics: topics, entry: entry,
		strong: map[string]bool{}, weak: map[string]bool{}, phrases: map[string]bool{}}
	for _, s := range strong {
		toks := kbTokens(s)
		for _, t := range toks {
			n.strong[t] = true
		}
		if len(toks) > 0 {
			n.phrases[strings.Join(toks, " ")] = true
		}
	}
	for _, s := range weak {
		for _, t := range kbTokens(s) {
			n.weak[t] = true
		}
	}
	kb.nodes = append(kb.nodes, n)
}

func kbTexts(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, l := range []string{"novice", "intermediate", "expert"} {
		if s, ok := m[l]; ok {
			out = append(out, s)
		}
	}
	return out
}

// index builds the nodes. Design-type categories and rule, concept, guide
// and example topics are the topics a node is filed under, as in the
// seed's topic index.
func (kb *knowledgeBase) index() {
	for _, d := range kb.designTypes {
		strong := append([]string{strings.ReplaceAll(d.ID, "_", " "), d.DisplayName}, d.Keywords...)
		weak := append(kbTexts(d.Description), d.SuitableFor...)
		kb.add(kbKindDesignType, d.ID, []string{"design_types", d.Category}, d, strong, weak)
	}
	for _, d := range kb.diagnostics {
		strong := append([]string{strings.ReplaceAll(d.ID, "_", " "), d.DisplayName}, d.Keywords...)
		kb.add(kbKindDiagnostic, d.ID, []string{"troubleshooting", "diagnostics"}, d, strong, []string{d.VisualPattern})
	}
	for _, c := range kb.concepts {
		strong := append([]string{strings.ReplaceAll(c.ID, "_", " "), c.Title}, c.Keywords...)
		kb.add(kbKindConcept, c.ID, []string{c.Topic, "statistical_concepts"}, c, strong, kbTexts(c.Content))
	}
	for _, g := range kb.guides {
		strong := append([]string{strings.ReplaceAll(g.ID, "_", " "), g.Title}, g.Keywords...)
		kb.add(kbKindGuide, g.ID, []string{g.Topic, "interpretation"}, g, strong, kbTexts(g.Content))
	}
	for _, e := range kb.examples {
		strong := append([]string{strings.ReplaceAll(e.ID, "_", " "), e.Title}, e.Keywords...)
		weak := append([]string{e.Scenario}, e.Steps...)
		kb.add(kbKindExample, e.ID, []string{e.Topic, "worked_examples"}, e, strong, weak)
	}
	for _, r := range kb.rules {
		strong := append([]string{strings.ReplaceAll(r.ID, "_", " "), r.Description}, r.Keywords...)
		kb.add(kbKindRule, r.ID, []string{r.Topic}, r, strong, kbTexts(r.Explanation))
	}
}

// kbStopWords are frequent words that say nothing about a DOE topic.
// (The seed matched them too, so "what" or "which" in a question ranked
// entries that happen to contain them.)
var kbStopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`the and for with what which when where why how who whom whose does did doing done
		are was were been being have has had having this that these those there their theirs them they then than
		from into onto about over under can could should would will shall may might must use using used you your yours
		our ours not but any all each some such more most very also just only own same too out off get got make made
		need needs want wants like know tell explain mean means way ways its it's i'm let let's please give show
		between after before during per via vs versus other others another one two three`) {
		kbStopWords[w] = true
	}
}

// kbTokens splits text as the seed's query tokenizer does (lower case, runs
// of [a-z0-9_], at least 3 characters), then drops stop words and strips a
// plural ending, so that "residuals" finds "residual" and "properties"
// finds "property".
func kbTokens(s string) []string {
	s = strings.ToLower(s)
	var out []string
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		t := s[start:end]
		start = -1
		if len(t) < 3 || kbStopWords[t] {
			return
		}
		out = append(out, kbStem(t))
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(s))
	return out
}

// kbStem removes an English plural ending from words of more than four
// letters: -ies → -y (not in series, species), -s (but not -ss, -us or
// -is) → "".
func kbStem(t string) string {
	if len(t) <= 4 {
		return t
	}
	switch {
	case t == "series" || t == "species":
		return t
	case strings.HasSuffix(t, "ies"):
		return t[:len(t)-3] + "y"
	case strings.HasSuffix(t, "ss"), strings.HasSuffix(t, "us"), strings.HasSuffix(t, "is"):
		return t
	case strings.HasSuffix(t, "s"):
		return t[:len(t)-1]
	}
	return t
}

// Search weights: a query word found in a node's id, title or keywords
// counts three times one found only in its text, and a query that is
// exactly one of its keywords (or its title) earns a bonus, so an exact
// keyword hit ranks first.
const (
	kbStrongWeight = 3
	kbWeakWeight   = 1
	kbPhraseBonus  = 4
)

type kbHit struct {
	node  *kbNode
	score int
}

// search ranks the nodes that keep(node) accepts by their match with the
// query, best first, ties in knowledge-base order. Nodes that match no
// query word are left out; an empty query matches nothing.
func (kb *knowledgeBase) search(query string, keep func(*kbNode) bool) []kbHit {
	toks := kbTokens(query)
	if len(toks) == 0 {
		return nil
	}
	phrase := strings.Join(toks, " ")
	slices.Sort(toks)
	toks = slices.Compact(toks)
	var hits []kbHit
	for _, n := range kb.nodes {
		if keep != nil && !keep(n) {
			continue
		}
		score := 0
		for _, t := range toks {
			switch {
			case n.strong[t]:
				score += kbStrongWeight
			case n.weak[t]:
				score += kbWeakWeight
			}
		}
		if score == 0 {
			continue
		}
		if n.phrases[phrase] {
			score += kbPhraseBonus
		}
		hits = append(hits, kbHit{n, score})
	}
	slices.SortStableFunc(hits, func(a, b kbHit) int { return b.score - a.score })
	return hits
}

func kbOfKind(kind string) func(*kbNode) bool {
	return func(n *kbNode) bool { return n.kind == kind }
}

func kbInTopic(topic string) func(*kbNode) bool {
	return func(n *kbNode) bool { return n.kind != kbKindRule && slices.Contains(n.topics, topic) }
}

// kbDetail is the seed's _extract_detail: the requested level, else
// intermediate, novice, expert, else any.
func kbDetail(m map[string]string, level string) string {
	if s, ok := m[level]; ok {
		return strings.TrimSpace(s)
	}
	for _, l := range kbLevels {
		if s, ok := m[l]; ok {
			return strings.TrimSpace(s)
		}
	}
	for _, s := range m {
		return strings.TrimSpace(s)
	}
	return ""
}

// kbMatch is the seed's _match_condition for typed context values: a key
// missing from the context, an unknown operator or an ordering between
// values that are not both numbers never matches.
func kbMatch(c kbCondition, ctx map[string]any) bool {
	v, ok := ctx[c.Key]
	if !ok {
		return false
	}
	switch c.Op {
	case "==":
		return kbEqual(v, c.Value)
	case "!=":
		return !kbEqual(v, c.Value)
	case "in":
		list, ok := c.Value.([]any)
		if !ok {
			return false
		}
		for _, w := range list {
			if kbEqual(v, w) {
				return true
			}
		}
		return false
	}
	a, aok := v.(float64)
	b, bok := c.Value.(float64)
	if !aok || !bok {
		return false
	}
	switch c.Op {
	case ">=":
		return a >= b
	case "<=":
		return a <= b
	case ">":
		return a > b
	case "<":
		return a < b
	}
	return false
}

func kbEqual(a, b any) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	}
	return false
}
