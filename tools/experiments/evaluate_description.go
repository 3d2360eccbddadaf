package experiments

const evaluateDescription = "Evaluate a design matrix: D-, A-, G- and I-efficiency, prediction variance, variance inflation factors, " +
	"condition number, power, degrees of freedom, alias structure, confounding, clear effects, and (with generators) " +
	"resolution, defining relation and word-length pattern. design_matrix is a list of runs mapping factor names to " +
	"coded values (RunOrder and Block columns are ignored); metric is one name or a list, computed in order and merged " +
	"into one object (a later metric's note replaces an earlier one, as in the seed); model is main_effects, " +
	"interactions (the default) or quadratic, built with patsy's columns and names (Intercept, A, B, A:B, I(A ** 2)). " +
	"Formulas: d_efficiency = 100·det(XᵀX)^(1/p)/N; a_efficiency = 100·p/(N·trace((XᵀX)⁻¹)) (an addition: the " +
	"seed has no A-efficiency); prediction variance d(x) = xᵀ(XᵀX)⁻¹x; g_efficiency = " +
	"100·p/(N·max d) and i_efficiency = 100·p/(N·mean d) over a grid in [−1, 1]^k; vif = 1/(1 − R²) of each column " +
	"on all others with the intercept (statsmodels); condition_number = σmax/σmin of X; power = P(F′ > F(1−α; 1, N−p)) " +
	"for the non-central F with λ = δ²/(σ²[(XᵀX)⁻¹]ᵢᵢ), written here as a Poisson mixture of regularized incomplete beta " +
	"functions (agrees with scipy's ncf to about 1e-11), per term for effect_size δ or as 20-point curves from 0.5σ to " +
	"3σ without it; degrees_of_freedom adds pure error and lack of fit when runs repeat; alias_structure lists, for " +
	"each column of the model with interactions up to order three, the columns correlated with it beyond |r| > 0.995 " +
	"(\"A = +B:C:D\"), or, given generators, each main effect and two-factor interaction times every word of the " +
	"defining relation (\"A = BCD\"). A rank-deficient XᵀX gives null efficiencies, variances, VIFs and power with a " +
	"note. Differences from the seed: (1) g_efficiency and i_efficiency use the first 8192 points of the unscrambled " +
	"Sobol sequence (Joe–Kuo directions, as scipy's Sobol with scramble=False) instead of the seed's scrambled Sobol " +
	"with seed 42, which cannot be reproduced; the grid includes the corner (−1, …, −1), so G-efficiency reaches the " +
	"true maximum variance where the seed's grid fell short: expect differences of up to about 1% (a 2³ main-effects " +
	"design gives G 100.0 here, 100.57 in the seed; I 199.99999 here, 200.0 in the seed). (2) generators may be given " +
	"(the seed's tool could not pass them, so its resolution, defining_relation and minimum_aberration were always " +
	"empty and aliasing always came from correlations); signs in generators are ignored, as in the seed. (3) Unknown " +
	"metric names, alpha outside (0, 1), a non-positive sigma, runs with differing keys and non-numeric values are " +
	"input_invalid; more than 15 factor columns or 10,000 runs is input_too_large. (4) Factor names that are not " +
	"identifiers are quoted as Q(\"name\") in the model (patsy failed on them in the seed). Other values agree with the " +
	"seed's to about 1e-12 relative (power to about 1e-11): the linear algebra is gonum's, not LAPACK's, so the last " +
	"digits can differ (a D-efficiency of 100 may read 99.99999999999997 here and 99.99999999999999 in the seed)."
