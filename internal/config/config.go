// Package config binds toolq's settings to environment variables and flags
// of the same meaning, for the two binaries. A flag wins over its variable,
// which wins over the default. A value that does not parse, or a number or
// duration that is not positive, is an error naming the variable or flag,
// so a worker refuses to start rather than run with a setting nobody meant.
package config

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Set registers settings on a flag set and collects errors from the
// environment.
type Set struct {
	fs     *flag.FlagSet
	getenv func(string) string
	errs   []error
}

// New returns a Set over fs reading the process environment.
func New(fs *flag.FlagSet) *Set { return &Set{fs: fs, getenv: os.Getenv} }

// WithEnv replaces the environment lookup (for tests).
func (s *Set) WithEnv(getenv func(string) string) *Set { s.getenv = getenv; return s }

// Err returns the errors found in environment variables, joined.
func (s *Set) Err() error { return errors.Join(s.errs...) }

func (s *Set) bad(env, val, want string) {
	s.errs = append(s.errs, fmt.Errorf("%s=%q: %s", env, val, want))
}

func usage(u, env, def string) string {
	if def == "" {
		return fmt.Sprintf("%s (env %s)", u, env)
	}
	return fmt.Sprintf("%s (env %s, default %s)", u, env, def)
}

// Duration binds a positive duration. Values are Go durations ("10s",
// "1m30s") or plain seconds ("10", "2.5"), the seed's form.
func (s *Set) Duration(name, env string, def time.Duration, u string) *time.Duration {
	v := def
	if raw := s.getenv(env); raw != "" {
		if d, err := ParseDuration(raw); err != nil {
			s.bad(env, raw, err.Error())
		} else {
			v = d
		}
	}
	p := &v
	if name != "" {
		s.fs.Func(name, usage(u, env, def.String()), func(raw string) error {
			d, err := ParseDuration(raw)
			if err == nil {
				*p = d
			}
			return err
		})
	}
	return p
}

// ParseDuration parses a positive Go duration or a number of seconds.
func ParseDuration(raw string) (time.Duration, error) {
	raw = strings.TrimSpace(raw)
	d, err := time.ParseDuration(raw)
	if err != nil {
		f, ferr := strconv.ParseFloat(raw, 64)
		if ferr != nil {
			return 0, errors.New("must be a duration such as 10s or 1m, or a number of seconds")
		}
		d = time.Duration(f * float64(time.Second))
	}
	if d <= 0 {
		return 0, errors.New("must be positive")
	}
	return d, nil
}

// Int binds a positive integer.
func (s *Set) Int(name, env string, def int, u string) *int {
	return s.IntUpTo(name, env, def, 0, u)
}

// IntUpTo binds a positive integer no larger than max (0: no bound), for
// values that are shifted into bytes or passed to the kernel and must not
// overflow there.
func (s *Set) IntUpTo(name, env string, def, max int, u string) *int {
	v := def
	if raw := s.getenv(env); raw != "" {
		if n, err := parseBounded(raw, max); err != nil {
			s.bad(env, raw, err.Error())
		} else {
			v = n
		}
	}
	p := &v
	if name != "" {
		d := ""
		if def > 0 {
			d = strconv.Itoa(def)
		}
		s.fs.Func(name, usage(u, env, d), func(raw string) error {
			n, err := parseBounded(raw, max)
			if err == nil {
				*p = n
			}
			return err
		})
	}
	return p
}

func parseBounded(raw string, max int) (int, error) {
	n, err := parsePositive(raw)
	if err == nil && max > 0 && n > max {
		return 0, fmt.Errorf("must be at most %d", max)
	}
	return n, err
}

func parsePositive(raw string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(raw))
	if err != nil {
		return 0, errors.New("must be a whole number")
	}
	if n <= 0 {
		return 0, errors.New("must be positive")
	}
	return n, nil
}

// Bool binds a boolean: 1/true/yes/on or 0/false/no/off (any case; empty is
// the default). Anything else is an error rather than false, so a typo
// cannot silently turn a safety switch off.
func (s *Set) Bool(name, env string, def bool, u string) *bool {
	v := def
	if raw := s.getenv(env); raw != "" {
		if b, err := ParseBool(raw); err != nil {
			s.bad(env, raw, err.Error())
		} else {
			v = b
		}
	}
	p := &v
	if name != "" {
		s.fs.BoolFunc(name, usage(u, env, strconv.FormatBool(def)), func(raw string) error {
			b, err := ParseBool(raw)
			if err == nil {
				*p = b
			}
			return err
		})
	}
	return p
}

// ParseBool parses the boolean forms Bool accepts.
func ParseBool(raw string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(raw)) {
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off", "":
		return false, nil
	}
	return false, errors.New("must be one of 1, true, yes, on, 0, false, no, off")
}

// String binds a string; check, if set, validates it.
func (s *Set) String(name, env, def, u string, check func(string) error) *string {
	v := def
	if raw := s.getenv(env); raw != "" {
		if check != nil {
			if err := check(raw); err != nil {
				s.bad(env, raw, err.Error())
			} else {
				v = raw
			}
		} else {
			v = raw
		}
	}
	p := &v
	if name != "" {
		s.fs.Func(name, usage(u, env, def), func(raw string) error {
			if check != nil {
				if err := check(raw); err != nil {
					return err
				}
			}
			*p = raw
			return nil
		})
	}
	return p
}

// ParseQueues parses "name=weight,name=weight" (a bare name weighs 1).
func ParseQueues(raw string) (map[string]int, error) {
	out := map[string]int{}
	for _, part := range strings.Split(raw, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, w, ok := strings.Cut(part, "=")
		weight := 1
		if ok {
			n, err := parsePositive(w)
			if err != nil {
				return nil, fmt.Errorf("queue %q: weight %w", name, err)
			}
			weight = n
		}
		if name == "" {
			return nil, errors.New("empty queue name")
		}
		out[name] = weight
	}
	if len(out) == 0 {
		return nil, errors.New("no queues")
	}
	return out, nil
}
