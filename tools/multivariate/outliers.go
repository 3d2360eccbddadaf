package multivariate

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/toolq/toolq/tools/internal/pyfmt"
	"github.com/toolq/toolq/tools/internal/stats"
	"github.com/toolq/toolq/tools/tool"
)

// Outlier types, in the order they are listed for an observation.
const (
	outlierSPE = "spe"
	outlierT2  = "hotellings_t2"
)

// outlier describes one flagged observation (the seed's detect_outliers
// entry).
type outlier struct {
	Observation       int         `json:"observation"`
	OutlierTypes      []string    `json:"outlier_types"`
	SPE               pyfmt.Float `json:"spe"`
	HotellingsT2      pyfmt.Float `json:"hotellings_t2"`
	SPELimit          pyfmt.Float `json:"spe_limit"`
	HotellingsT2Limit pyfmt.Float `json:"hotellings_t2_limit"`
	Severity          pyfmt.Float `json:"severity"`
}

// outlierScreen is the result of screening a fitted model's observations.
type outlierScreen struct {
	t2Limit, speLimit float64
	outliers          []outlier
}

// screenOutliers flags the observations of m that are unusual at confidence
// cl (the seed's PCA.detect_outliers). An observation is flagged on SPE when
// its SPE exceeds the SPE limit or a generalized ESD test picks it out of the
// SPE values, and likewise on T².
//
// The ESD test is the classical one (mean and standard deviation) with the
// largest-crossing rule, at most max(1, N/5) outliers and α = 1 − cl. The
// seed used the robust median/MAD variant with the first-crossing rule, which
// flags ordinary observations whenever the middle of the SPE or T² values is
// tightly packed: on the golden 11×6 case it reported observation 2 for a T²
// of 0.071, far below the mean (seed-spec §7 item 1). The test is two-sided,
// so an unusually small SPE or T² can still be flagged.
//
// Entries are sorted by severity, max(SPE/SPE limit, T²/T² limit) rounded to
// 4 decimals, highest first; ties keep observation order, and a NaN severity
// sorts last.
func screenOutliers(m *pcaModel, cl float64) (outlierScreen, error) {
	sc := outlierScreen{t2Limit: t2Limit(cl, m.a, m.n), speLimit: speLimit(m.spe, cl)}
	maxOutliers := max(1, m.n/5)
	alpha := 1 - cl

	speESD, err := esdOutliers(m.spe, maxOutliers, alpha)
	if err != nil {
		return sc, tool.Errorf("outlier test on SPE: %v", err)
	}
	t2ESD, err := esdOutliers(m.t2, maxOutliers, alpha)
	if err != nil {
		return sc, tool.Errorf("outlier test on Hotelling's T²: %v", err)
	}

	speFlag := make([]bool, m.n)
	t2Flag := make([]bool, m.n)
	for _, i := range speESD {
		speFlag[i] = true
	}
	for _, i := range t2ESD {
		t2Flag[i] = true
	}
	for i := 0; i < m.n; i++ {
		speFlag[i] = speFlag[i] || m.spe[i] > sc.speLimit
		t2Flag[i] = t2Flag[i] || m.t2[i] > sc.t2Limit
	}

	sc.outliers = []outlier{}
	for i := 0; i < m.n; i++ {
		if !speFlag[i] && !t2Flag[i] {
			continue
		}
		o := outlier{
			Observation:       i,
			OutlierTypes:      []string{},
			SPE:               pyfmt.Float(m.spe[i]),
			HotellingsT2:      pyfmt.Float(m.t2[i]),
			SPELimit:          pyfmt.Float(sc.speLimit),
			HotellingsT2Limit: pyfmt.Float(sc.t2Limit),
			Severity:          pyfmt.Float(severity(m.spe[i]/sc.speLimit, m.t2[i]/sc.t2Limit)),
		}
		if speFlag[i] {
			o.OutlierTypes = append(o.OutlierTypes, outlierSPE)
		}
		if t2Flag[i] {
			o.OutlierTypes = append(o.OutlierTypes, outlierT2)
		}
		sc.outliers = append(sc.outliers, o)
	}
	slices.SortStableFunc(sc.outliers, func(a, b outlier) int {
		sa, sb := float64(a.Severity), float64(b.Severity)
		switch {
		case sa > sb || (!math.IsNaN(sa) && math.IsNaN(sb)):
			return -1
		case sa < sb || (math.IsNaN(sa) && !math.IsNaN(sb)):
			return 1
		}
		return 0
	})
	return sc, nil
}

// indices returns the flagged observations in severity order (the seed's
// outlier_indices).
func (sc outlierScreen) indices() []int {
	out := make([]int, len(sc.outliers))
	for i, o := range sc.outliers {
		out[i] = o.Observation
	}
	return out
}

// esdOutliers returns the indices the classical generalized ESD test picks
// out of x (NaN values are never tested). The test needs three values at its
// last step, so the maximum is clamped to (non-NaN count) − 2; that only
// bites when T² is NaN for some rows (a component without variance), since
// fit_pca has at least 3 rows and max(1, N/5) ≤ N − 2 for N ≥ 3.
func esdOutliers(x []float64, maxOutliers int, alpha float64) ([]int, error) {
	r := min(maxOutliers, stats.Count(x)-2)
	if r <= 0 {
		return nil, nil
	}
	res, err := stats.GeneralizedESD(x, r, alpha, false)
	return res.Outliers, err
}

// severity is Python's round(max(a, b), 4). Python's max keeps its first
// argument unless the second is strictly greater, so a NaN ratio on T² (a
// component with no variance) leaves the SPE ratio in charge.
func severity(speRatio, t2Ratio float64) float64 {
	s := speRatio
	if t2Ratio > s {
		s = t2Ratio
	}
	return round4(s)
}

// round4 rounds x to 4 decimals the way Python's round(x, 4) does: to the
// nearest decimal of the exact binary value, ties to even. strconv's 'f'
// formatting rounds the exact value in the same way, so a format-and-parse
// round trip reproduces it, where math.Round(x*1e4)/1e4 can be off by one in
// the last place.
func round4(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(x, 'f', 4, 64), 64)
	if err != nil {
		panic(fmt.Sprintf("multivariate: round4(%v): %v", x, err))
	}
	return r
}
