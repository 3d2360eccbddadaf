package experiments

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
)

// kvObject is a JSON object whose keys keep the order they were added in,
// as the seed's dicts do. The values must encode without error: floats
// that may be NaN or ±Inf are stored as pyfmt.Float (written as null), so
// that a result never falls off tool.Marshal's fast path, whose slow path
// would not know this type.
type kvObject []kvMember

type kvMember struct {
	key   string
	value any
}

// set appends key, or replaces its value if it is already there.
func (o *kvObject) set(key string, value any) {
	for i := range *o {
		if (*o)[i].key == key {
			(*o)[i].value = value
			return
		}
	}
	*o = append(*o, kvMember{key, value})
}

// get returns the value of key.
func (o kvObject) get(key string) (any, bool) {
	for _, m := range o {
		if m.key == key {
			return m.value, true
		}
	}
	return nil, false
}

// MarshalJSON implements json.Marshaler.
func (o kvObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(m.key)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(m.value)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", m.key, err)
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// pyJSONDumpsSorted writes v as Python's json.dumps(v, sort_keys=True) does
// with its defaults: separators ", " and ": ", ensure_ascii (every
// character outside printable ASCII as a lowercase \uXXXX escape, a
// surrogate pair above U+FFFF), and object keys sorted by code point.
// It knows the value types the strategy id is built from: strings, ints,
// nil, string slices and map[string]any.
func pyJSONDumpsSorted(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := pyJSONDump(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func pyJSONDump(b *bytes.Buffer, v any) error {
	switch t := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		pyJSONQuoteASCII(b, t)
	case int:
		b.WriteString(strconv.Itoa(t))
	case []string:
		b.WriteByte('[')
		for i, s := range t {
			if i > 0 {
				b.WriteString(", ")
			}
			pyJSONQuoteASCII(b, s)
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		// Byte order of UTF-8 is code-point order, which is Python's
		// order for str.
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			pyJSONQuoteASCII(b, k)
			b.WriteString(": ")
			if err := pyJSONDump(b, t[k]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	default:
		return fmt.Errorf("pyDump: unsupported type %T", v)
	}
	return nil
}

// pyJSONQuoteASCII writes s as Python's json encoder does with
// ensure_ascii=True (py_encode_basestring_ascii). Strings that came through
// encoding/json are valid UTF-8; an invalid byte would be written as the
// escape of U+FFFD.
func pyJSONQuoteASCII(b *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	u4 := func(r rune) {
		b.WriteString(`\u`)
		b.WriteByte(hex[r>>12&0xf])
		b.WriteByte(hex[r>>8&0xf])
		b.WriteByte(hex[r>>4&0xf])
		b.WriteByte(hex[r&0xf])
	}
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '"':
			b.WriteString(`\"`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r >= ' ' && r <= '~':
			b.WriteByte(byte(r))
		case r < 0x10000:
			u4(r)
		default:
			r -= 0x10000
			u4(0xd800 | (r>>10)&0x3ff)
			u4(0xdc00 | r&0x3ff)
		}
	}
	b.WriteByte('"')
}
