package bench

import (
	"context"
	"encoding/json"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
	"math/rand/v2"

	"github.com/toolq/toolq/jobs"
	"github.com/toolq/toolq/tools"
)

// lowRank returns an n×k matrix of rank-r structure plus noise, and m
// responses that depend on it, from a fixed seed: data the way PCA and PLS
// meet it, not pure noise (on which NIPALS may not converge).
func lowRank(n, k, r, m int) (x [][]float64, y [][]float64) {
	src := rand.NewPCG(1, 0)
	norm := distuv.Normal{Mu: 0, Sigma: 1, Src: src}
	scores := make([][]float64, n)
	for i := range scores {
		scores[i] = make([]float64, r)
		for j := range scores[i] {
			scores[i][j] = norm.Rand()
		}
	}
	load := make([][]float64, r)
	for j := range load {
		load[j] = make([]float64, k)
		for c := range load[j] {
			load[j][c] = norm.Rand()
		}
	}
	x = make([][]float64, n)
	y = make([][]float64, n)
	for i := range x {
		x[i] = make([]float64, k)
		for c := range x[i] {
			v := 0.1 * norm.Rand()
			for j := 0; j < r; j++ {
				v += scores[i][j] * load[j][c]
			}
			x[i][c] = v
		}
		y[i] = make([]float64, m)
		for c := range y[i] {
			y[i][c] = scores[i][0]*float64(c+1) - scores[i][1%r] + 0.1*norm.Rand()
		}
	}
	return x, y
}

func fitInput(tool string, n, k int) []byte {
	x, y := lowRank(n, k, 3, 2)
	var in map[string]any
	if tool == "fit_pls" {
		in = map[string]any{"x_data": x, "y_data": y, "n_components": 2}
	} else {
		in = map[string]any{"data": x, "n_components": 3}
	}
	b, _ := json.Marshal(in)
	return b
}

// bigCells lifts the cell cap for these runs: 2000×500 plus n_components
// is 1,000,001 numeric values, one over the default limit.
var bigCells = &tools.Limits{MaxCells: 2_000_000}

func fitInProcess(b *testing.B, tool string, n, k int) {
	reg := tools.Standard()
	input := fitInput(tool, n, k)
	ctx := context.Background()
	for b.Loop() {
		norm, err := reg.Validate(tool, input, bigCells)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := reg.Execute(ctx, tool, norm); err != nil {
			b.Fatal(err)
		}
	}
}

func fitThroughWorker(b *testing.B, tool string, n, k int) {
	s := startStack(b, 2, "TOOLQ_TOOL_TIMEOUT=120s", "TOOLQ_MAX_MEMORY_MB=2048", "TOOLQ_MAX_CELLS=2000000")
	defer s.stop()
	input := fitInput(tool, n, k)
	ctx := context.Background()
	opts := &jobs.SubmitOptions{Timeout: 120e9, MemoryBytes: 2 << 30}
	for b.Loop() {
		env, err := s.client.Submit(ctx, tool, input, opts)
		if err == nil {
			env, err = s.client.Wait(ctx, env.ID)
		}
		if err != nil || env.State != jobs.Succeeded {
			b.Fatalf("%v %+v", err, env)
		}
	}
}

func BenchmarkFitPCA1000x20InProcess(b *testing.B)   { fitInProcess(b, "fit_pca", 1000, 20) }
func BenchmarkFitPCA1000x20Worker(b *testing.B)      { fitThroughWorker(b, "fit_pca", 1000, 20) }
func BenchmarkFitPCA2000x500InProcess(b *testing.B)  { fitInProcess(b, "fit_pca", 2000, 500) }
func BenchmarkFitPCA2000x500Worker(b *testing.B)     { fitThroughWorker(b, "fit_pca", 2000, 500) }
func BenchmarkFitPLS1000x20y2InProcess(b *testing.B) { fitInProcess(b, "fit_pls", 1000, 20) }
func BenchmarkFitPLS1000x20y2Worker(b *testing.B)    { fitThroughWorker(b, "fit_pls", 1000, 20) }
