//go:build linux

package diag

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/toolq/toolq/tools/tool"
)

func inspect(_ context.Context, in json.RawMessage) (any, error) {
	var p struct {
		Connect string   `json:"connect"`
		Create  []string `json:"create"`
	}
	if err := tool.Decode(in, &p); err != nil {
		return nil, err
	}
	rlimit := func(r int) any {
		var l syscall.Rlimit
		if err := syscall.Getrlimit(r, &l); err != nil {
			return err.Error()
		}
		if l.Cur == ^uint64(0) {
			return "unlimited"
		}
		return l.Cur
	}
	groups, _ := os.Getgroups()
	fds := map[string]string{}
	if entries, err := os.ReadDir("/proc/self/fd"); err == nil {
		for _, e := range entries {
			target, _ := os.Readlink("/proc/self/fd/" + e.Name())
			fds[e.Name()] = target
		}
	}
	nnp := ""
	if status, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(line, "NoNewPrivs:"); ok {
				nnp = strings.TrimSpace(v)
			}
		}
	}
	var ifaces []string
	if list, err := net.Interfaces(); err == nil {
		for _, i := range list {
			state := "down"
			if i.Flags&net.FlagUp != 0 {
				state = "up"
			}
			ifaces = append(ifaces, i.Name+" "+state)
		}
	}
	cwd, _ := os.Getwd()
	var fs syscall.Statfs_t
	rootRO := syscall.Statfs("/", &fs) == nil && fs.Flags&0x1 != 0 // ST_RDONLY
	out := map[string]any{
		"pid": os.Getpid(), "root_read_only": rootRO,
		"uid": os.Getuid(), "gid": os.Getgid(), "groups": groups,
		"env": os.Environ(), "fds": fds, "cwd": cwd, "interfaces": ifaces,
		"no_new_privs": nnp == "1",
		"rlimits": map[string]any{
			"nofile": rlimit(syscall.RLIMIT_NOFILE), "fsize": rlimit(syscall.RLIMIT_FSIZE), "core": rlimit(syscall.RLIMIT_CORE),
		},
	}
	if p.Connect != "" {
		c, err := net.DialTimeout("tcp", p.Connect, 2*time.Second)
		if err != nil {
			out["connect"] = "refused: " + err.Error()
		} else {
			c.Close()
			out["connect"] = "connected"
		}
	}
	if len(p.Create) > 0 {
		created := map[string]string{}
		for _, path := range p.Create {
			f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
			if err != nil {
				created[path] = err.Error()
				continue
			}
			f.Close()
			created[path] = "ok"
		}
		out["create"] = created
	}
	return out, nil
}
