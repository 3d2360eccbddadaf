package gateway

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// Token is one caller's credential as the gateway is configured with it:
// a name (what logs, metrics and job ownership use) and the SHA-256 of the
// secret. The secret itself is never configured, stored or logged, so a
// leaked configuration does not leak a credential.
type Token struct {
	Name string
	Hash [sha256.Size]byte
	// Operator tokens may open /ops/ (and /metrics unless it is public).
	Operator bool
	// Rate (requests per second), Burst and MaxJobs override the gateway's
	// per-token defaults when positive.
	Rate    float64
	Burst   int
	MaxJobs int
}

var tokenName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// HashToken returns the hex SHA-256 of a secret: the form TOOLQ_GATEWAY_TOKENS
// takes (`gateway hash-token` prints it).
func HashToken(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// ParseTokens reads token entries separated by commas or newlines, each
//
//	NAME:SHA256HEX[:operator][:rate=N][:burst=N][:jobs=N]
//
// Blank entries and lines starting with # are skipped. Names and hashes must
// be unique.
func ParseTokens(spec string) ([]Token, error) {
	var out []Token
	names := map[string]bool{}
	hashes := map[[sha256.Size]byte]bool{}
	for _, line := range strings.Split(spec, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for _, entry := range strings.Split(line, ",") {
			entry = strings.TrimSpace(entry)
			if entry == "" {
				continue
			}
			t, err := parseToken(entry)
			if err != nil {
				return nil, err
			}
			if names[t.Name] {
				return nil, fmt.Errorf("token %q is listed twice", t.Name)
			}
			if hashes[t.Hash] {
				return nil, fmt.Errorf("token %q has the same hash as another token", t.Name)
			}
			names[t.Name], hashes[t.Hash] = true, true
			out = append(out, t)
		}
	}
	return out, nil
}

func parseToken(entry string) (Token, error) {
	parts := strings.Split(entry, ":")
	if len(parts) < 2 {
		return Token{}, fmt.Errorf("token entry %q: want NAME:SHA256HEX[:operator][:rate=N][:burst=N][:jobs=N]", redactEntry(entry))
	}
	t := Token{Name: parts[0]}
	if !tokenName.MatchString(t.Name) {
		return Token{}, fmt.Errorf("token name %q: use 1 to 64 of A-Z a-z 0-9 _ . -", t.Name)
	}
	raw, err := hex.DecodeString(parts[1])
	if err != nil || len(raw) != sha256.Size {
		// Never echo the value: someone may have pasted the secret itself.
		return Token{}, fmt.Errorf("token %q: the second field must be the 64-hex-digit SHA-256 of the secret (`gateway hash-token`), not the secret", t.Name)
	}
	copy(t.Hash[:], raw)
	for _, opt := range parts[2:] {
		k, v, hasV := strings.Cut(opt, "=")
		switch {
		case k == "operator" && !hasV:
			t.Operator = true
		case k == "rate" && hasV:
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f <= 0 {
				return Token{}, fmt.Errorf("token %q: rate=%q must be a positive number of requests per second", t.Name, v)
			}
			t.Rate = f
		case (k == "burst" || k == "jobs") && hasV:
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				return Token{}, fmt.Errorf("token %q: %s=%q must be a positive whole number", t.Name, k, v)
			}
			if k == "burst" {
				t.Burst = n
			} else {
				t.MaxJobs = n
			}
		default:
			return Token{}, fmt.Errorf("token %q: unknown option %q (want operator, rate=N, burst=N or jobs=N)", t.Name, opt)
		}
	}
	return t, nil
}

func redactEntry(e string) string {
	if name, _, ok := strings.Cut(e, ":"); ok {
		return name + ":…"
	}
	return "an entry without ':' (not shown)"
}

// principal is an authenticated caller: its token with the limits resolved.
type principal struct {
	Name     string
	Operator bool
	Rate     float64
	Burst    int
	MaxJobs  int
}

// authenticator finds the principal a presented secret belongs to.
type authenticator struct {
	tokens []Token
	list   []*principal
}

func newAuthenticator(tokens []Token, rate float64, burst, maxJobs int) *authenticator {
	a := &authenticator{tokens: tokens}
	for _, t := range tokens {
		p := &principal{Name: t.Name, Operator: t.Operator, Rate: rate, Burst: burst, MaxJobs: maxJobs}
		if t.Rate > 0 {
			p.Rate = t.Rate
		}
		if t.Burst > 0 {
			p.Burst = t.Burst
		}
		if t.MaxJobs > 0 {
			p.MaxJobs = t.MaxJobs
		}
		a.list = append(a.list, p)
	}
	return a
}

// lookup hashes the secret and compares the digest with every configured
// hash in constant time, without stopping at a match, so that neither the
// secret nor which token matched shows in the timing.
func (a *authenticator) lookup(secret string) *principal {
	if secret == "" {
		return nil
	}
	h := sha256.Sum256([]byte(secret))
	found := -1
	for i := range a.tokens {
		if subtle.ConstantTimeCompare(h[:], a.tokens[i].Hash[:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return nil
	}
	return a.list[found]
}

var errNoCredentials = errors.New("no credentials")

// fromRequest authenticates a request by its Authorization header:
// "Bearer SECRET", or, where basic is true (the /ops/ UI, which a browser
// opens), "Basic" with the secret as the password and any user name.
// Tokens in query strings are never accepted: they end up in logs.
func (a *authenticator) fromRequest(r *http.Request, basic bool) (*principal, error) {
	h := r.Header.Get("Authorization")
	scheme, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	rest = strings.TrimSpace(rest)
	var secret string
	switch {
	case strings.EqualFold(scheme, "Bearer"):
		secret = rest
	case basic && strings.EqualFold(scheme, "Basic"):
		raw, err := base64.StdEncoding.DecodeString(rest)
		if err != nil {
			return nil, errNoCredentials
		}
		_, secret, _ = strings.Cut(string(raw), ":")
	default:
		return nil, errNoCredentials
	}
	if p := a.lookup(secret); p != nil {
		return p, nil
	}
	return nil, errNoCredentials
}
