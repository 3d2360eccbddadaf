package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"sort"
	"strings"
	"sync"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/batch"
	"github.com/toolq/toolq/tools/bivariate"
	"github.com/toolq/toolq/tools/diag"
	"github.com/toolq/toolq/tools/experiments"
	"github.com/toolq/toolq/tools/internal/pyfmt"
	"github.com/toolq/toolq/tools/monitoring"
	"github.com/toolq/toolq/tools/multivariate"
	"github.com/toolq/toolq/tools/regression"
	"github.com/toolq/toolq/tools/tool"
	"github.com/toolq/toolq/tools/univariate"
)

// Spec is what callers see of a tool: the seed's tool_spec shape
// ({"name", "description", "input_schema", "category"}).
type Spec struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Category    string          `json:"category,omitempty"`
	InputSchema json.RawMessage `json:"input_schema"`
}

// Registry is an immutable set of tools. It is built once from the families'
// static tables; use [Standard] or [WithDiagnostics].
type Registry struct {
	tools  []*entry
	byName map[string]*entry
}

type entry struct {
	def tool.Def

	once   sync.Once
	schema *jsonschema.Resolved
	raw    map[string]any // the schema document, for error messages
}

var (
	standard   = sync.OnceValue(func() *Registry { return build(false) })
	diagnostic = sync.OnceValue(func() *Registry { return build(true) })
)

// Standard returns the registry of the analysis tools, in the seed's
// registry order.
func Standard() *Registry { return standard() }

// WithDiagnostics returns the standard registry plus the diag_* tools, which
// misbehave on purpose (sleep, spin, allocate, fork, panic, flood stdout) so
// that operators and tests can prove every sandbox verdict with real
// processes. Workers register them only when TOOLQ_DIAGNOSTIC_TOOLS=1.
func WithDiagnostics() *Registry { return diagnostic() }

// Families are listed in the seed's discovery order.
func build(withDiag bool) *Registry {
	var defs []tool.Def
	for _, family := range [][]tool.Def{
		univariate.Defs(), multivariate.Defs(), monitoring.Defs(), regression.Defs(),
		bivariate.Defs(), experiments.Defs(), batch.Defs(),
	} {
		defs = append(defs, family...)
	}
	if withDiag {
		defs = append(defs, diag.Defs()...)
	}
	return newRegistry(defs)
}

// newRegistry panics on an incomplete or duplicate definition: that is a
// programmer error, found at start-up.
func newRegistry(defs []tool.Def) *Registry {
	r := &Registry{byName: make(map[string]*entry, len(defs))}
	for _, d := range defs {
		if d.Name == "" || d.Run == nil || len(d.Schema) == 0 {
			panic(fmt.Sprintf("tools: incomplete definition %q", d.Name))
		}
		if _, dup := r.byName[d.Name]; dup {
			panic("tools: duplicate tool " + d.Name)
		}
		e := &entry{def: d}
		r.tools = append(r.tools, e)
		r.byName[d.Name] = e
	}
	return r
}

func (e *entry) spec() Spec {
	return Spec{Name: e.def.Name, Description: e.def.Description, Category: e.def.Category, InputSchema: e.def.Schema}
}

// compiled returns the tool's resolved schema, resolving it on first use
// so that a child process, which runs one tool, never pays for the others.
// A schema that does not resolve is a programmer error and panics; a test
// resolves every schema.
//
// The validator is google/jsonschema-go (draft 2020-12), which the MCP SDK
// uses too. santhosh-tekuri/jsonschema was the first choice, but it compiles
// every draft's meta-schema in its package initialiser: about 5 ms of CPU
// in every sandboxed child, which re-executes this binary, for a validator
// the child never calls.
func (e *entry) compiled() *jsonschema.Resolved {
	e.once.Do(func() {
		var s jsonschema.Schema
		if err := json.Unmarshal(e.def.Schema, &s); err != nil {
			panic(fmt.Sprintf("tools: schema of %s: %v", e.def.Name, err))
		}
		rs, err := s.Resolve(nil)
		if err != nil {
			panic(fmt.Sprintf("tools: schema of %s: %v", e.def.Name, err))
		}
		if err := json.Unmarshal(e.def.Schema, &e.raw); err != nil {
			panic(fmt.Sprintf("tools: schema of %s: %v", e.def.Name, err))
		}
		e.schema = rs
	})
	return e.schema
}

// Example returns the tool's example input, or "" if it has none.
func (r *Registry) Example(name string) string {
	if e, ok := r.byName[name]; ok {
		return e.def.Example
	}
	return ""
}

// Names returns the registered tool names in registry order.
func (r *Registry) Names() []string {
	out := make([]string, len(r.tools))
	for i, e := range r.tools {
		out[i] = e.def.Name
	}
	return out
}

// Lookup returns the spec of the named tool.
func (r *Registry) Lookup(name string) (Spec, bool) {
	e, ok := r.byName[name]
	if !ok {
		return Spec{}, false
	}
	return e.spec(), true
}

// Specs returns the specs in registry order, all of them or those of one
// category when category is not empty.
func (r *Registry) Specs(category string) []Spec {
	var out []Spec
	for _, e := range r.tools {
		if category == "" || e.def.Category == category {
			out = append(out, e.spec())
		}
	}
	return out
}

// CompileAll compiles every schema now, so that a worker finds a broken
// definition at start-up rather than on the first call. It panics like
// compiled does.
func (r *Registry) CompileAll() {
	for _, e := range r.tools {
		e.compiled()
	}
}

func (r *Registry) unknown(name string) error {
	names := r.Names()
	sort.Strings(names)
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = pyfmt.Quote(n)
	}
	return errcode.New(errcode.UnknownTool, "Unknown tool %s. Available tools: [%s]", pyfmt.Quote(clip(name)), strings.Join(quoted, ", ")).
		With("tool_name", clip(name))
}

// Validate checks a call before it is enqueued (and again where it runs):
// the tool exists, the input is within lim (nil means the defaults), matches
// the tool's schema and passes the tool's own check. It returns the input in
// normal form: top-level nulls, which mean "use the default", are removed.
//
// Errors are *errcode.Error with code unknown_tool, input_invalid or
// input_too_large.
func (r *Registry) Validate(name string, input []byte, lim *Limits) (json.RawMessage, error) {
	e, ok := r.byName[name]
	if !ok {
		return nil, r.unknown(name)
	}
	if len(bytes.TrimSpace(input)) == 0 {
		input = []byte("{}")
	}
	doc, err := parseJSON(input)
	if err != nil {
		return nil, errcode.New(errcode.InputInvalid, "Tool input is not valid JSON: %v", err)
	}
	if err := checkText(input); err != nil {
		return nil, err
	}
	if err := CheckSize(doc, lim); err != nil {
		return nil, err
	}
	obj := doc.(map[string]any)
	norm := json.RawMessage(input)
	if dropNulls(obj) {
		if norm, err = json.Marshal(obj); err != nil {
			return nil, errcode.Wrap(errcode.InputInvalid, err, "Tool input cannot be re-encoded: %v", err)
		}
	}
	schema := e.compiled()
	// The validator wants numbers as float64, not json.Number.
	if _, err := toFloats(obj, []any{}); err != nil {
		return nil, err
	}
	if err := schema.Validate(obj); err != nil {
		return nil, schemaError(name, e.raw, obj, err)
	}
	if e.def.Check != nil {
		if err := e.def.Check(norm); err != nil {
			return nil, typed(err, errcode.InputInvalid)
		}
	}
	return norm, nil
}

// parseJSON decodes one JSON value, keeping numbers as json.Number so that
// the size checks can report them as written; trailing data is an error.
func parseJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	// Decoder.More says nothing useful at the top level ("0}" passes), so
	// look at what is left.
	if rest := bytes.TrimSpace(b[dec.InputOffset():]); len(rest) > 0 {
		return nil, fmt.Errorf("unexpected data after the top-level value at byte %d", dec.InputOffset())
	}
	return v, nil
}

// dropNulls removes top-level null values and reports whether it removed any.
func dropNulls(obj map[string]any) bool {
	dropped := false
	for k, v := range obj {
		if v == nil {
			delete(obj, k)
			dropped = true
		}
	}
	return dropped
}

// Execute runs the named tool in this process on an input that has passed
// Validate, and returns its result as JSON (NaN and ±Inf as null). A panic in
// the tool is not recovered here: in a sandbox child it must kill the child,
// which the parent reports as tool_crashed. In-process callers that want to
// survive a panic use [Registry.ExecuteSafe].
func (r *Registry) Execute(ctx context.Context, name string, input json.RawMessage) (json.RawMessage, error) {
	e, ok := r.byName[name]
	if !ok {
		return nil, r.unknown(name)
	}
	out, err := e.def.Run(ctx, input)
	if err != nil {
		return nil, typed(err, errcode.ToolError)
	}
	b, err := tool.Marshal(out)
	if err != nil {
		return nil, errcode.Wrap(errcode.ToolCrashed, err, "tool %s returned a result that cannot be encoded: %v", name, err)
	}
	return b, nil
}

// ExecuteSafe is Execute for in-process callers: a panic becomes a
// tool_crashed error carrying the panic value.
func (r *Registry) ExecuteSafe(ctx context.Context, name string, input json.RawMessage) (out json.RawMessage, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = errcode.New(errcode.ToolCrashed, "tool %s panicked: %v", name, p).
				With("stack", string(debug.Stack()))
		}
	}()
	return r.Execute(ctx, name, input)
}

// typed returns err as an *errcode.Error, giving untyped errors code def.
func typed(err error, def errcode.Code) *errcode.Error {
	if e, ok := err.(*errcode.Error); ok {
		return e
	}
	return errcode.Wrap(def, err, "%s", err.Error())
}
