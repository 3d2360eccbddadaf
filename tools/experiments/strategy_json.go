package experiments

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
)

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
