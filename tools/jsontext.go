package tools

import (
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/internal/pyfmt"
)

// checkText refuses JSON texts that parsers disagree about, so that what
// the client validated is exactly what the worker and the child read:
// invalid UTF-8 (encoding/json would replace it silently) and objects that
// repeat a key (most parsers keep the last, some the first). It runs on
// bytes that have already parsed as JSON.
func checkText(b []byte) error {
	if !utf8.Valid(b) {
		at := 0
		for at < len(b) {
			r, n := utf8.DecodeRune(b[at:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			at += n
		}
		return errcode.New(errcode.InputInvalid, "Tool input is not valid UTF-8 (byte %d)", at).With("offset", at)
	}
	if key, at, ok := duplicateKey(b); ok {
		return errcode.New(errcode.InputInvalid, "Tool input repeats the key %s in one object (byte %d)", pyfmt.Quote(clip(key)), at).
			With("key", clip(key)).With("offset", at)
	}
	return nil
}

// duplicateKey scans a valid JSON text for an object that holds the same
// key twice, without building a tree: a stack of the keys seen per open
// object, and a fast skip over strings and numbers.
func duplicateKey(b []byte) (key string, at int, found bool) {
	type frame struct {
		object    bool
		expectKey bool
		keys      map[string]struct{}
	}
	var stack []frame
	for i := 0; i < len(b); {
		switch b[i] {
		case '{':
			stack = append(stack, frame{object: true, expectKey: true})
			i++
		case '[':
			stack = append(stack, frame{})
			i++
		case '}', ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			i++
		case ',':
			if n := len(stack); n > 0 && stack[n-1].object {
				stack[n-1].expectKey = true
			}
			i++
		case '"':
			end := i + 1
			escaped := false
			for ; end < len(b); end++ {
				if b[end] == '\\' {
					escaped = true
					end++
					continue
				}
				if b[end] == '"' {
					break
				}
			}
			if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].expectKey {
				top := &stack[n-1]
				k := string(b[i+1 : end])
				if escaped {
					_ = json.Unmarshal(b[i:end+1], &k)
				}
				if top.keys == nil {
					top.keys = map[string]struct{}{}
				}
				if _, dup := top.keys[k]; dup {
					return k, i, true
				}
				top.keys[k] = struct{}{}
				top.expectKey = false
			}
			i = end + 1
		default:
			i++
		}
	}
	return "", 0, false
}

// toFloats replaces json.Number values with float64 in place, and refuses
// a number that float64 cannot hold (1e400): the seed's Python would have
// turned it into an infinity that the numerics then spread as nulls.
func toFloats(v any, path []any) (any, error) {
	switch t := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(t.String(), 64)
		if err != nil || math.IsInf(f, 0) {
			return nil, errcode.New(errcode.InputInvalid, "The number %s at %s is out of range", t.String(), locString(path)).
				With("loc", path)
		}
		return f, nil
	case []any:
		for i := range t {
			f, err := toFloats(t[i], append(path, i))
			if err != nil {
				return nil, err
			}
			t[i] = f
		}
	case map[string]any:
		for k := range t {
			f, err := toFloats(t[k], append(path, k))
			if err != nil {
				return nil, err
			}
			t[k] = f
		}
	}
	return v, nil
}
