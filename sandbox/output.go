package sandbox

import (
	"fmt"
	"io"
)

// capture reads a child's stdout up to a cap. Past the cap it keeps reading
// (so the child cannot block on a full pipe while it is being killed) but
// discards, and reports the overflow once through onOverflow.
type capture struct {
	buf        []byte
	max        int64
	total      int64
	onOverflow func()
}

// drain reads r to its end (or first error) into write, in chunks.
func drain(r io.Reader, write func([]byte)) {
	chunk := make([]byte, 64<<10)
	for {
		n, err := r.Read(chunk)
		if n > 0 {
			write(chunk[:n])
		}
		if err != nil {
			return
		}
	}
}

func (c *capture) write(p []byte) {
	room := c.max - int64(len(c.buf))
	if room > 0 {
		take := int64(len(p))
		if take > room {
			take = room
		}
		c.buf = append(c.buf, p[:take]...)
	}
	before := c.total
	c.total += int64(len(p))
	if before <= c.max && c.total > c.max && c.onOverflow != nil {
		c.onOverflow()
	}
}

func (c *capture) overflowed() bool { return c.total > c.max }

// headTail keeps the first and last half of a stream, like os/exec's
// prefixSuffixSaver, so a chatty child cannot fill the worker's memory while
// the start (usually the panic message) and the end both survive.
type headTail struct {
	n       int64
	head    []byte
	tail    []byte // ring buffer
	tailPos int
	total   int64
}

func newHeadTail(n int64) *headTail { return &headTail{n: n / 2} }

func (h *headTail) write(p []byte) {
	h.total += int64(len(p))
	if room := h.n - int64(len(h.head)); room > 0 {
		take := int64(len(p))
		if take > room {
			take = room
		}
		h.head = append(h.head, p[:take]...)
		p = p[take:]
	}
	for len(p) > 0 && h.n > 0 {
		if int64(len(h.tail)) < h.n {
			take := int(h.n) - len(h.tail)
			if take > len(p) {
				take = len(p)
			}
			h.tail = append(h.tail, p[:take]...)
			p = p[take:]
			continue
		}
		k := copy(h.tail[h.tailPos:], p)
		h.tailPos = (h.tailPos + k) % len(h.tail)
		p = p[k:]
	}
}

func (h *headTail) bytes() []byte {
	out := append([]byte(nil), h.head...)
	if len(h.tail) == 0 {
		return out
	}
	if omitted := h.total - int64(len(h.head)) - int64(len(h.tail)); omitted > 0 {
		out = append(out, fmt.Sprintf("\n... omitting %d bytes ...\n", omitted)...)
	}
	out = append(out, h.tail[h.tailPos:]...)
	return append(out, h.tail[:h.tailPos]...)
}
