package experiments

import (
	"context"
	_ "embed"
	"encoding/json"

	"github.com/toolq/toolq/tools/internal/pydict"
	"github.com/toolq/toolq/tools/tool"
)

// The doe_knowledge tool: the seed's experiments/tools.py doe_knowledge_tool
// over experiments/knowledge (seed-spec §2.3, tool 29), on a knowledge
// base written anew (knowledge_base.go).

//go:embed schemas/doe_knowledge.json
var knowledgeSchema []byte

// kbGenericLimit is how many entries a keyword search returns (the seed's
// top 10); design_selection falls back to the top kbSelectionLimit design
// types.
const (
	kbGenericLimit   = 10
	kbSelectionLimit = 5
)

func doeKnowledgeDef() *tool.Def {
	return &tool.Def{
		Name:     "doe_knowledge",
		Category: Category,
		Description: "Look up design-of-experiments knowledge: design types (factorial, fractional factorial, Plackett–Burman, " +
			"definitive screening, Box–Behnken, central composite, D- and I-optimal, mixture, split-plot, Taguchi arrays, " +
			"blocking), rules for choosing a design from a situation, residual patterns with their causes and remedies, " +
			"statistical concepts (resolution, aliasing, randomisation, replication, blocking, centre points, power, " +
			"response surfaces, desirability, common pitfalls …), guides to reading ANOVA tables and effect, contour and " +
			"interaction plots, and worked examples; 77 entries, each at novice, intermediate and expert depth. " +
			"Input (all optional): query (free text; its words of 3 or more letters are matched), topic (see the schema), " +
			"context (n_factors, budget, goal, sequential, curvature_important, has_hard_to_change, is_mixture, " +
			"has_constraints; used with topic design_selection, where every rule whose conditions all hold is returned, " +
			"and only if none holds are design types matching the query returned, at most 5), detail_level (novice, " +
			"intermediate or expert; default intermediate). Keyword search ranks an entry higher when a query word is in " +
			"its name or keywords (3 points) than when it is only in its text (1 point), plus 4 points when the whole query " +
			"is one of its keywords, ties in knowledge-base order; at most 10 entries. " +
			"Output: results (each with type: design_type, decision_rule, diagnostic, concept, interpretation_guide or " +
			"worked_example, an id, and the fields of that type), query, topic, detail_level and n_results. " +
			"Example: {\"query\": \"resolution\", \"topic\": \"statistical_concepts\"} returns Design Resolution first. " +
			"Differences from the original tool: the knowledge base is this project's own text (same structure, with " +
			"keywords and mixture/constraint rules added); words are matched whole after dropping common English words " +
			"and plural endings, and hyphenated terms such as Box-Behnken match their parts (the original indexed " +
			"\"box-behnken\" as one word no query could match); ranking weights names and keywords above body text; worked " +
			"examples are searchable; the design_selection fallback ranks design types only; the topics analysis_methods, " +
			"interpretation, optimization, screening, response_surface and worked_examples search their own entries first " +
			"(the original searched everything) and list them when the query is empty; context keys are typed and unknown " +
			"ones refused.",
		Schema: knowledgeSchema,
		Check: func(input json.RawMessage) error {
			_, err := decodeKnowledge(input)
			return err
		},
		Example: `{"query": "screening 7 factors 15 runs", "topic": "design_selection", ` +
			`"context": {"n_factors": 7, "budget": 15, "goal": "screening"}}`,
		Run: runDOEKnowledge,
	}
}

type knowledgeInput struct {
	Query       string         `json:"query"`
	Topic       string         `json:"topic"`
	Context     map[string]any `json:"context"`
	DetailLevel string         `json:"detail_level"`
}

var kbTopics = map[string]bool{
	"design_selection": true, "design_properties": true, "design_types": true, "analysis_methods": true,
	"interpretation": true, "troubleshooting": true, "diagnostics": true, "optimization": true,
	"statistical_concepts": true, "screening": true, "response_surface": true, "worked_examples": true, "": true,
}

// kbContextKinds are the context keys and their JSON types.
var kbContextKinds = map[string]string{
	"n_factors": "number", "budget": "number", "goal": "string", "sequential": "bool",
	"curvature_important": "bool", "has_hard_to_change": "bool", "is_mixture": "bool", "has_constraints": "bool",
}

func decodeKnowledge(input json.RawMessage) (*knowledgeInput, error) {
	in := &knowledgeInput{DetailLevel: "intermediate"}
	if err := tool.Decode(input, in); err != nil {
		return nil, err
	}
	if !kbTopics[in.Topic] {
		return nil, tool.Invalidf("unknown topic %q", in.Topic).With("key", "topic")
	}
	switch in.DetailLevel {
	case "novice", "intermediate", "expert":
	default:
		return nil, tool.Invalidf("detail_level must be novice, intermediate or expert, not %q", in.DetailLevel).With("key", "detail_level")
	}
	for k, v := range in.Context {
		kind, ok := kbContextKinds[k]
		if !ok {
			return nil, tool.Invalidf("unknown context key %q", k).With("key", "context")
		}
		var good bool
		switch kind {
		case "number":
			_, good = v.(float64)
		case "string":
			_, good = v.(string)
		case "bool":
			_, good = v.(bool)
		}
		if !good {
			return nil, tool.Invalidf("context key %q must be a %s", k, kind).With("key", "context")
		}
	}
	return in, nil
}

type knowledgeOutput struct {
	Results     pydict.HTMLEscaped `json:"results"` // []pydict.Dict, escaped as it always was (see pydict.HTMLEscaped)
	Query       string             `json:"query"`
	Topic       string             `json:"topic"`
	DetailLevel string             `json:"detail_level"`
	NResults    int                `json:"n_results"`
}

func runDOEKnowledge(_ context.Context, input json.RawMessage) (any, error) {
	in, err := decodeKnowledge(input)
	if err != nil {
		return nil, err
	}
	kb, err := loadKnowledge()
	if err != nil {
		return nil, tool.Errorf("the knowledge base cannot be read: %v", err)
	}
	results := kb.query(in)
	if results == nil {
		results = []pydict.Dict{}
	}
	return knowledgeOutput{Results: pydict.HTMLEscaped{V: results}, Query: in.Query, Topic: in.Topic, DetailLevel: in.DetailLevel, NResults: len(results)}, nil
}

// query routes by topic as the seed's doe_knowledge does.
func (kb *knowledgeBase) query(in *knowledgeInput) []pydict.Dict {
	level := in.DetailLevel
	var out []pydict.Dict
	all := func(kind string, format func(*kbNode) pydict.Dict) {
		for _, n := range kb.nodes {
			if n.kind == kind {
				out = append(out, format(n))
			}
		}
	}
	ranked := func(hits []kbHit, limit int, format func(*kbNode) pydict.Dict) {
		for i, h := range hits {
			if limit > 0 && i == limit {
				break
			}
			out = append(out, format(h.node))
		}
	}
	switch in.Topic {
	case "design_selection":
		if len(in.Context) > 0 {
			for _, r := range kb.rules {
				if kbMatchAll(r.Conditions, in.Context) {
					out = append(out, pydict.Dict{{"type", kbKindRule}, {"id", r.ID}, {"description", r.Description},
						{"recommendation", r.Recommend}, {"explanation", kbDetail(r.Explanation, level)}})
				}
			}
		}
		if len(out) == 0 {
			ranked(kb.search(in.Query, kbOfKind(kbKindDesignType)), kbSelectionLimit, func(n *kbNode) pydict.Dict {
				d := n.entry.(*kbDesignType)
				return pydict.Dict{{"type", kbKindDesignType}, {"id", d.ID}, {"display_name", d.DisplayName},
					{"description", kbDetail(d.Description, level)}, {"suitable_for", d.SuitableFor},
					{"properties", d.Properties}, {"min_runs", d.MinRuns}}
			})
		}
	case "troubleshooting", "diagnostics":
		if in.Query == "" {
			all(kbKindDiagnostic, kbFormatDiagnostic)
		} else {
			ranked(kb.search(in.Query, kbOfKind(kbKindDiagnostic)), 0, kbFormatDiagnostic)
		}
	case "design_properties":
		props := func(n *kbNode) bool {
			return n.kind == kbKindConcept && n.entry.(*kbConcept).Topic == "design_properties"
		}
		ranked(kb.search(in.Query, props), 0, kbFormatConcept(level))
		if len(out) == 0 {
			for _, n := range kb.nodes {
				if props(n) {
					out = append(out, kbFormatConcept(level)(n))
				}
			}
		}
	case "statistical_concepts":
		if in.Query == "" {
			all(kbKindConcept, kbFormatConcept(level))
		} else {
			ranked(kb.search(in.Query, kbOfKind(kbKindConcept)), 0, kbFormatConcept(level))
		}
	case "design_types":
		if in.Query == "" {
			all(kbKindDesignType, kbFormatDesignType(level))
		} else {
			ranked(kb.search(in.Query, kbOfKind(kbKindDesignType)), 0, kbFormatDesignType(level))
		}
	case "":
		ranked(kb.search(in.Query, func(n *kbNode) bool { return n.kind != kbKindRule }), kbGenericLimit, kbFormatGeneric(level))
	default:
		if in.Query == "" {
			for _, n := range kb.nodes {
				if kbInTopic(in.Topic)(n) {
					out = append(out, kbFormatGeneric(level)(n))
				}
			}
			break
		}
		ranked(kb.search(in.Query, kbInTopic(in.Topic)), kbGenericLimit, kbFormatGeneric(level))
		if len(out) == 0 {
			ranked(kb.search(in.Query, func(n *kbNode) bool { return n.kind != kbKindRule }), kbGenericLimit, kbFormatGeneric(level))
		}
	}
	return out
}

func kbMatchAll(conds []kbCondition, ctx map[string]any) bool {
	for _, c := range conds {
		if !kbMatch(c, ctx) {
			return false
		}
	}
	return true
}

func kbFormatDiagnostic(n *kbNode) pydict.Dict {
	d := n.entry.(*kbDiagnostic)
	return pydict.Dict{{"type", kbKindDiagnostic}, {"id", d.ID}, {"display_name", d.DisplayName},
		{"visual_pattern", d.VisualPattern}, {"indicates", d.Indicates}, {"remedies", d.Remedies}, {"severity", d.Severity}}
}

func kbFormatConcept(level string) func(*kbNode) pydict.Dict {
	return func(n *kbNode) pydict.Dict {
		c := n.entry.(*kbConcept)
		return pydict.Dict{{"type", kbKindConcept}, {"id", c.ID}, {"title", c.Title},
			{"content", kbDetail(c.Content, level)}, {"related_to", c.RelatedTo}}
	}
}

func kbFormatDesignType(level string) func(*kbNode) pydict.Dict {
	return func(n *kbNode) pydict.Dict {
		d := n.entry.(*kbDesignType)
		return pydict.Dict{{"type", kbKindDesignType}, {"id", d.ID}, {"display_name", d.DisplayName}, {"category", d.Category},
			{"description", kbDetail(d.Description, level)}, {"suitable_for", d.SuitableFor}, {"properties", d.Properties},
			{"min_runs", d.MinRuns}, {"supports_models", d.SupportsModels}, {"advantages", d.Advantages},
			{"disadvantages", d.Disadvantages}, {"common_misconceptions", d.CommonMisconceptions}, {"references", d.References}}
	}
}

// kbFormatGeneric is the seed's query_generic entry format (short forms),
// plus worked examples.
func kbFormatGeneric(level string) func(*kbNode) pydict.Dict {
	return func(n *kbNode) pydict.Dict {
		switch e := n.entry.(type) {
		case *kbDesignType:
			return pydict.Dict{{"type", kbKindDesignType}, {"id", e.ID}, {"display_name", e.DisplayName},
				{"description", kbDetail(e.Description, level)}}
		case *kbConcept:
			return pydict.Dict{{"type", kbKindConcept}, {"id", e.ID}, {"title", e.Title}, {"content", kbDetail(e.Content, level)}}
		case *kbDiagnostic:
			return pydict.Dict{{"type", kbKindDiagnostic}, {"id", e.ID}, {"display_name", e.DisplayName},
				{"visual_pattern", e.VisualPattern}}
		case *kbGuide:
			return pydict.Dict{{"type", "interpretation_guide"}, {"id", e.ID}, {"title", e.Title},
				{"content", kbDetail(e.Content, level)}}
		case *kbExample:
			return pydict.Dict{{"type", kbKindExample}, {"id", e.ID}, {"title", e.Title}, {"scenario", e.Scenario},
				{"steps", e.Steps}, {"demonstrates", e.Demonstrates}}
		}
		return pydict.Dict{{"type", n.kind}, {"id", n.id}}
	}
}
