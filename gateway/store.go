package gateway

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/toolq/toolq/jobs"
)

// The gateway's own Redis keys, beside the job records it does not own.
// Every key names one principal or one job, so each script touches a
// single key and works on Redis Cluster too.
const (
	// ownerPrefix + job id holds the owner record: which token created the
	// job, and the fingerprint of the request that did (for Idempotency-Key
	// replays). A job without an owner record is nobody's: 404 for all.
	ownerPrefix = "toolq:gw:owner:"
	// activePrefix + token name is a sorted set of that token's jobs that
	// may not be final yet (score: submission time in ms): the
	// concurrent-job limit counts it.
	activePrefix = "toolq:gw:active:"
	// ratePrefix + token name holds the token's GCRA state: the theoretical
	// arrival time, in ms.
	ratePrefix = "toolq:gw:rate:"
)

// owner is the value of an owner record.
type owner struct {
	Token string `json:"t"`
	// FP is the SHA-256 of the submitted request (tool, input, options),
	// so that an Idempotency-Key reused for a different request is refused
	// instead of silently answering with another job.
	FP string `json:"fp,omitempty"`
}

// rateScript is GCRA (a token bucket kept as one timestamp): a request at
// now is allowed when the bucket's theoretical arrival time, moved on by one
// interval, is no more than burst intervals ahead. It returns 0 when the
// request is allowed, otherwise how many ms to wait. The time comes from
// the gateway, so that the script stays deterministic for replication.
var rateScript = redis.NewScript(`
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - burst * interval
if allow_at > now then return math.ceil(allow_at - now) end
redis.call('SET', KEYS[1], string.format('%.3f', new_tat), 'PX', math.ceil(new_tat - now) + 1000)
return 0
`)

// admitScript adds a job to a token's active set unless the set is full.
// A job already in the set (a replay) is always admitted. Members older
// than ARGV[4] ms are dropped first: a safety net for jobs whose finish the
// gateway never saw.
var admitScript = redis.NewScript(`
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 1 end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[4])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`)

// store is the gateway's state in Redis.
type store struct {
	rdb redis.UniversalClient
	// ownerTTL is how long an owner record lives: longer than a job record
	// (which lives ResultTTL after its last write), so a job never outlives
	// its owner; it is renewed when the job finishes.
	ownerTTL  time.Duration
	resultTTL time.Duration
	// staleAfter drops an active-set member that has been there this long.
	staleAfter time.Duration
}

// allow applies p's rate limit; it returns 0 or the time to wait.
func (s *store) allow(ctx context.Context, p *principal) (time.Duration, error) {
	interval := 1000 / p.Rate
	now := float64(time.Now().UnixMicro()) / 1000
	ms, err := rateScript.Run(ctx, s.rdb, []string{ratePrefix + p.Name},
		strconv.FormatFloat(now, 'f', 3, 64), strconv.FormatFloat(interval, 'f', 3, 64), p.Burst).Int64()
	if err != nil {
		return 0, err
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// claim binds id to p. It reports whether the id was new; when it was not,
// it returns the existing owner record for the caller to judge.
func (s *store) claim(ctx context.Context, id string, o owner) (bool, *owner, error) {
	b, _ := json.Marshal(o)
	ok, err := s.rdb.SetNX(ctx, ownerPrefix+id, b, s.ownerTTL).Result()
	if err != nil || ok {
		return ok, nil, err
	}
	cur, err := s.owner(ctx, id)
	if err != nil {
		return false, nil, err
	}
	if cur == nil { // expired between the two commands: try once more
		ok, err = s.rdb.SetNX(ctx, ownerPrefix+id, b, s.ownerTTL).Result()
		return ok, &o, err
	}
	return false, cur, nil
}

func (s *store) owner(ctx context.Context, id string) (*owner, error) {
	b, err := s.rdb.Get(ctx, ownerPrefix+id).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var o owner
	if err := json.Unmarshal(b, &o); err != nil {
		return nil, nil // not ours to interpret: treat as no owner
	}
	return &o, nil
}

// owns reports whether p created job id.
func (s *store) owns(ctx context.Context, p *principal, id string) (bool, error) {
	o, err := s.owner(ctx, id)
	if err != nil || o == nil {
		return false, err
	}
	return o.Token == p.Name, nil
}

func (s *store) unclaim(ctx context.Context, p *principal, id string) {
	s.rdb.Del(ctx, ownerPrefix+id)
	s.rdb.ZRem(ctx, activePrefix+p.Name, id)
}

// admit counts a new job against p's concurrent-job limit. When the set is
// full it first drops the jobs that have finished or expired (read from the
// job records' first bytes, never whole: a final record may hold a large
// result) and tries again.
func (s *store) admit(ctx context.Context, p *principal, id string) (bool, error) {
	for try := 0; ; try++ {
		now := time.Now().UnixMilli()
		ok, err := admitScript.Run(ctx, s.rdb, []string{activePrefix + p.Name},
			id, p.MaxJobs, now, now-s.staleAfter.Milliseconds(), s.staleAfter.Milliseconds()).Int()
		if err != nil || ok == 1 || try == 1 {
			return ok == 1, err
		}
		if err := s.prune(ctx, p); err != nil {
			return false, err
		}
	}
}

// prune removes p's finished jobs from its active set.
func (s *store) prune(ctx context.Context, p *principal) error {
	key := activePrefix + p.Name
	ids, err := s.rdb.ZRange(ctx, key, 0, -1).Result()
	if err != nil || len(ids) == 0 {
		return err
	}
	pipe := s.rdb.Pipeline()
	heads := make([]*redis.StringCmd, len(ids))
	for i, id := range ids {
		heads[i] = pipe.GetRange(ctx, jobs.Key(id), 0, 1023)
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return err
	}
	var done []any
	for i, c := range heads {
		if head := c.Val(); head == "" || recordState(head).Final() {
			done = append(done, ids[i])
		}
	}
	if len(done) > 0 {
		return s.rdb.ZRem(ctx, key, done...).Err()
	}
	return nil
}

// recordState finds the state in the first bytes of a job record. The
// envelope is written with "state" before "result", and inside a JSON string
// a quote is always escaped, so the first `"state":"` is the envelope's own
// (the same reading jobs uses in its write script). An unknown answer is
// treated as still running, which only ever keeps a slot taken.
func recordState(head string) jobs.State {
	const marker = `"state":"`
	i := strings.Index(head, marker)
	if i < 0 {
		return ""
	}
	rest := head[i+len(marker):]
	j := strings.IndexByte(rest, '"')
	if j < 0 {
		return ""
	}
	return jobs.State(rest[:j])
}

// finished forgets a finished job in its owner's active set and renews the
// owner record for as long as the job record now lives.
func (s *store) finished(ctx context.Context, id string) {
	o, err := s.owner(ctx, id)
	if err != nil || o == nil {
		return
	}
	pipe := s.rdb.Pipeline()
	pipe.ZRem(ctx, activePrefix+o.Token, id)
	pipe.Expire(ctx, ownerPrefix+id, s.resultTTL+time.Hour)
	_, _ = pipe.Exec(ctx)
}

// fingerprint identifies a submitted request for Idempotency-Key replays.
func fingerprint(tool string, input json.RawMessage, timeout time.Duration, memory int64, queue string) string {
	var compact bytes.Buffer
	if json.Compact(&compact, input) != nil {
		compact.Write(input)
	}
	h := sha256.New()
	h.Write([]byte(tool))
	h.Write([]byte{0})
	h.Write(compact.Bytes())
	h.Write([]byte{0})
	h.Write([]byte(strconv.FormatInt(int64(timeout), 10) + "/" + strconv.FormatInt(memory, 10) + "/" + queue))
	return hex.EncodeToString(h.Sum(nil))
}

// idempotentID derives a job id from a token and its Idempotency-Key, so the
// same key from two tokens names two different jobs.
func idempotentID(token, key string) string {
	h := sha256.Sum256([]byte("toolq-gateway\x00" + token + "\x00" + key))
	return "k" + hex.EncodeToString(h[:16])
}

// retryAfter turns a wait into a Retry-After value in whole seconds, at
// least 1.
func retryAfter(d time.Duration) string {
	return strconv.Itoa(int(math.Max(1, math.Ceil(d.Seconds()))))
}
