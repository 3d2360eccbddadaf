package experiments

const augmentDescription = "Extend or modify an existing two-level or response-surface design and explain what changed. " +
	"augmentation_type: foldover (append the design with every sign reversed; with generators, odd-length defining " +
	"words are eliminated and even ones survive), semifold (rerun the runs where fold_on is −1 with that factor at " +
	"+1; fold_on defaults to the factor in most of the shortest defining words, or the first factor), " +
	"add_center_points (n_additional_runs zero runs, default 3), replicate (n_additional_runs whole copies, default 1), " +
	"add_axial_points (2k star points, +α then −α for each factor; α rotatable n_f^(1/4) with n_f the non-centre " +
	"runs, face_centered 1, orthogonal √(k(√(n_f + 2k) − √n_f)/2), or a number), upgrade_to_rsm (those star points, " +
	"default rotatable, plus centre runs up to max(3, 5 − existing centre runs)), add_runs_optimal (n_additional_runs " +
	"runs added one at a time from the 3^k grid of −1, 0, +1, minus the existing runs, each the one maximising " +
	"det(XᵀX) for target_model, default interactions; nothing is added while every candidate leaves XᵀX singular) " +
	"and add_blocks (2^b ≥ n_additional_runs blocks, default 2, from the signs of the b highest-order interactions: " +
	"block = 1 + Σ [column i > 0]·2^i; no runs added). Output: augmented_design and new_runs (lists of runs; columns " +
	"that held only integers stay integers, as pandas keeps them, until float runs are added), n_runs_before, " +
	"n_runs_after, the type's own keys (defining_relation for foldover and semifold, fold_on, alpha, n_blocks and " +
	"confounded_with), explanation (run counts, D-efficiency, resolution, residual degrees of freedom, de-aliased " +
	"effects and notes, joined by spaces or, when there are effects or notes, by newlines) and before_metrics and " +
	"after_metrics (evaluate_design's d_efficiency and degrees_of_freedom for the interactions model, with " +
	"alias_structure and resolution when there are generators; {} if they cannot be computed). Differences from " +
	"the seed: (1) add_runs_optimal ranks candidates by log(1 + fᵀ(XᵀX)⁻¹f), the change of log det, with ranks " +
	"decided by numpy's matrix_rank tolerance, instead of a fresh slogdet of every trial matrix; equal determinants " +
	"(within 1e-9 relative) go to the first candidate in the grid's order, where the seed's pick among them followed " +
	"rounding; a search of more than 2·10^9 operations (candidates × runs × terms²) is a tool_error instead of " +
	"running past the timeout. (2) An unknown fold_on, add_runs_optimal without n_additional_runs, one block, a " +
	"non-positive alpha, runs with differing keys and non-numeric values are input_invalid (the seed returned an " +
	"error, or accepted a non-positive alpha); more than 15 factor columns or 10,000 runs is input_too_large. " +
	"(3) The metrics are evaluate_design's, so its differences apply (names that are not identifiers are quoted " +
	"in the model). Numbers agree with the seed to about 1e-12."
