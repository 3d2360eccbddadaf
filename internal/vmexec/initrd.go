package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
)

// writeInitrd writes an uncompressed cpio archive (the kernel's "newc"
// format) holding /init, /test, /args.json, the directories /init mounts on
// and /dev/console, which the kernel opens for /init's standard streams
// before any device filesystem is mounted.
func writeInitrd(path, initBin, testBin string, args []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := &cpioWriter{w: bufio.NewWriterSize(f, 1<<20)}
	for _, d := range []string{"dev", "proc", "sys", "tmp", "run"} {
		w.entry(d, 0o40755, 0, nil, 0)
	}
	w.entry("dev/console", 0o20600, 0, nil, mkdev(5, 1))
	w.file("init", initBin, 0o100755)
	w.file("test", testBin, 0o100755)
	w.entry("args.json", 0o100644, int64(len(args)), bytesReader(args), 0)
	w.entry("TRAILER!!!", 0, 0, nil, 0)
	if w.err == nil {
		w.err = w.w.Flush()
	}
	if err := f.Close(); w.err == nil {
		w.err = err
	}
	return w.err
}

type cpioWriter struct {
	w   *bufio.Writer
	ino int
	n   int64
	err error
}

type rdev struct{ major, minor uint32 }

func mkdev(major, minor uint32) rdev { return rdev{major, minor} }

func bytesReader(b []byte) io.Reader { return &sliceReader{b: b} }

type sliceReader struct{ b []byte }

func (r *sliceReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

func (c *cpioWriter) file(name, src string, mode uint32) {
	if c.err != nil {
		return
	}
	f, err := os.Open(src)
	if err != nil {
		c.err = err
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		c.err = err
		return
	}
	c.entry(name, mode, st.Size(), f, rdev{})
}

func (c *cpioWriter) entry(name string, mode uint32, size int64, data io.Reader, dev any) {
	if c.err != nil {
		return
	}
	var rd rdev
	if d, ok := dev.(rdev); ok {
		rd = d
	}
	c.ino++
	nlink := 1
	if mode&0o170000 == 0o40000 {
		nlink = 2
	}
	hdr := fmt.Sprintf("070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		c.ino, mode, 0, 0, nlink, 0, size, 0, 0, rd.major, rd.minor, len(name)+1, 0)
	c.write([]byte(hdr))
	c.write(append([]byte(name), 0))
	c.pad()
	if data != nil {
		n, err := io.Copy(c.w, data)
		c.n += n
		if err != nil {
			c.err = err
			return
		}
		if n != size {
			c.err = fmt.Errorf("%s: wrote %d bytes, expected %d", name, n, size)
			return
		}
	}
	c.pad()
}

func (c *cpioWriter) write(b []byte) {
	if c.err != nil {
		return
	}
	n, err := c.w.Write(b)
	c.n += int64(n)
	c.err = err
}

func (c *cpioWriter) pad() {
	if r := c.n % 4; r != 0 {
		c.write(make([]byte, 4-r))
	}
}
