package gateway

import (
	"net/http"

	"github.com/hibiken/asynqmon"
	"github.com/redis/go-redis/v9"

	"github.com/toolq/toolq/errcode"
)

// sharedConn hands asynqmon the gateway's Redis client instead of letting
// it dial its own from a URL (which would not cover Sentinel or unix
// sockets the way jobs.NewRedisClient does). The gateway never calls the
// monitor's Close, so the shared client is not closed under it.
type sharedConn struct{ rdb redis.UniversalClient }

func (c sharedConn) MakeRedisClient() any { return c.rdb }

// opsHandler is /ops/: asynqmon, the asynq monitoring UI, for operator
// tokens only. Read-only unless OpsWritable: then asynqmon's own guard is
// off and only GET and HEAD pass ours. When writes are allowed, cross-origin
// writes are refused, because a browser sends the Basic credentials of
// /ops/ with any request, including one a hostile page makes.
func (g *Gateway) opsHandler() http.Handler {
	mon := asynqmon.New(asynqmon.Options{
		RootPath:     "/ops",
		RedisConnOpt: sharedConn{g.opts.Redis},
		ReadOnly:     !g.opts.OpsWritable,
	})
	var h http.Handler = mon
	if g.opts.OpsWritable {
		h = http.NewCrossOriginProtection().Handler(h)
	} else {
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				w.Header().Set("Allow", "GET, HEAD")
				writeError(w, http.StatusMethodNotAllowed, errcode.New(CodeForbidden, "/ops/ is read-only here (TOOLQ_GATEWAY_OPS_WRITABLE)"))
				return
			}
			mon.ServeHTTP(w, r)
		})
	}
	return g.operatorOnly(h, true)
}
