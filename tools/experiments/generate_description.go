package experiments

const generateDescription = "Generate an experimental design matrix: full factorial, fractional factorial, Plackett–Burman, " +
	"Box–Behnken, central composite (CCD), definitive screening (DSD), D-, I- or A-optimal, mixture (simplex lattice or " +
	"centroid) or Taguchi orthogonal array. Each factor has a name and a type (continuous with low < high, categorical " +
	"with levels, or mixture); without design_type one is chosen from the factor count and the budget. Centre points " +
	"are appended to factorial, Plackett–Burman and all-continuous Taguchi designs (the other designs hold their own), " +
	"the whole design is replicated, and the runs are put in random order with numpy's default_rng(random_seed)." +
	"permutation, reproduced bit for bit, so run_order equals the seed's for the same seed. Output: design_coded and " +
	"design_actual (one object per run, in run order, keyed by factor name; for mixtures both hold proportions), " +
	"run_order (row r came from base row run_order[r]), design_type, n_runs, n_factors, factor_names, and where they " +
	"apply generators, defining_relation and resolution (fractional factorials) and alpha (CCD). " +
	"Constructions follow pyDOE3 line for line (ff2n with the first factor slowest, fracfact_by_res, pbdesign, " +
	"bbdesign, ccdesign), so those designs and their row order equal the seed's. " +
	"Differences from the seed, each a fix: (1) fractional_factorial never fails: where pyDOE3's fracfact_by_res " +
	"raises \"design not possible\" (every resolution ≥ k, so the default for k ≤ 5) or returns a design below the " +
	"resolution asked for (7 or 8 factors at resolution V), the fewest runs that reach it are found by a search over " +
	"generators in pyDOE3's order (k = 3, 4, 5 by default give C=AB, D=ABC, E=ABCD; 7 and 8 factors at V need 64 runs, " +
	"not the seed's 32), falling back to the full factorial; resolution is the resolution the design attains, not the " +
	"one requested, and is left out for a full factorial; generators may be given (the seed's tool could not), " +
	"and generators and defining_relation are reported. (2) A numeric alpha is used as the CCD's axial distance " +
	"(the seed ignored it), and alpha reports the axial distance used (the seed reported the largest coded value, " +
	"which differs when alpha < 1). (3) taguchi fits any factor count an array in pyDOE3's list can hold, not only " +
	"its exact column count: the first array (L4, L8, L9, L12, L16, L16(4^5), L18(6^1 3^6), L25, L27(3^13), " +
	"L32(2^31), L32(2^1 4^9), L36(2^11 3^12), L50, L54, L64(2^31), L64(4^21), L81) with a column of at least as many " +
	"levels for every factor; the arrays are built from their published constructions with their true level counts " +
	"(pyDOE3 mislabels L27 and L36); L4, L8 and L16(2^15) are Taguchi's standard arrays, as pyDOE3's NIST tables " +
	"are (L4 checked against pyDOE3's file), while L12 and the larger arrays may order rows and columns differently " +
	"from pyDOE3's; a factor on a column with more levels takes level (symbol mod its levels). " +
	"Categorical factors are coded 0, 1, … and reported by their level in design_actual; they are accepted only by " +
	"taguchi (the seed failed on them everywhere), and a Taguchi design with one gets no centre points. (4) d_optimal, " +
	"i_optimal and a_optimal use a coordinate exchange on the levels −1, 0, +1 (up to 10 random starts, as pyoptex, fewer for large designs) " +
	"seeded by random_seed, so the same input always gives the same design (the seed's fallback was unseeded, and " +
	"its i- and a-optimal failed); the model is main effects plus two-factor interactions when the run count " +
	"(budget, default 2k + 1, at most 3^k, at least k + 1) allows it, main effects otherwise; the effort is bounded, " +
	"so very large designs are improved less; the designs are not pyoptex's, and their runs are randomised like every " +
	"other design (the seed's pyoptex path skipped that, its fallback did not). (5) DSDs use true conference matrices " +
	"for 9, 10 and 15 factors too (Paley over GF(9), and the skew-Hadamard doubling of Paley's order 8), where " +
	"the seed used a cyclic matrix that is not one; the other orders are the seed's Paley matrices. " +
	"Other differences: factor names must be distinct, nested nulls mean the default, the HEAD names n_center_points " +
	"and n_replicates are accepted besides the seed's, more than 15 factors or more than 50 centre points or replicates " +
	"is input_too_large, and a design of more than 1,000,000 values (runs × factors) is a tool_error."
