package experiments

// Domain templates of recommend_strategy: the seed's
// experiments/strategy/domain_templates.py. Only the fields the rules read
// are kept (the seed's extra_stages and special_considerations never reach
// the output).

type strategyDomain struct {
	screeningPreference string // "" means the rule engine's default
	rsmPreference       string
	weights             strategyWeights
	minConfirmation     int
	minCentrePoints     int
	preferCurvature     bool
	notes               map[string]string // by detail level
}

// strategyDomainNames lists the domains in the seed's enum order.
var strategyDomainNames = []string{
	"pharma_formulation", "fermentation", "food_science", "extraction", "analytical_method", "cell_culture",
	"bioprocess", "general",
}

var strategyDomains = map[string]strategyDomain{
	"pharma_formulation": {
		screeningPreference: "definitive_screening",
		rsmPreference:       "ccd_face_centered",
		weights:             strategyWeights{0.25, 0.45, 0.15},
		minConfirmation:     5,
		minCentrePoints:     5,
		preferCurvature:     true,
		notes: map[string]string{
			"novice": "Pharmaceutical formulation studies follow Quality by Design (QbD) principles. " +
				"The strategy includes a design space definition stage for regulatory submissions. " +
				"Factors are called Critical Process Parameters (CPPs) or Critical Material " +
				"Attributes (CMAs), and responses are Critical Quality Attributes (CQAs).",
			"intermediate": "Per ICH Q8, the experimental strategy should map the design space — the " +
				"multidimensional region of factor settings that provides acceptable quality. " +
				"Face-centered CCD is preferred for RSM because it stays within physical bounds, " +
				"which is important for regulatory acceptance. DSD screening efficiently detects " +
				"curvature in drug release or dissolution profiles.",
		},
	},
	"fermentation": {
		screeningPreference: "plackett_burman",
		rsmPreference:       "ccd",
		weights:             strategyWeights{0.30, 0.50, 0.10},
		minConfirmation:     3,
		minCentrePoints:     5,
		notes: map[string]string{
			"novice": "Fermentation processes typically involve many factors (pH, temperature, carbon " +
				"source, nitrogen source, agitation, aeration, inoculum size). Plackett-Burman " +
				"screening is the standard first step to identify which factors matter most.",
			"intermediate": "Fermentation has high biological variability, so extra center points (5+) are " +
				"recommended for reliable error estimation. Sequential CCD augmentation from " +
				"the factorial base is preferred over BBD because it reuses screening runs. " +
				"Long experiment times (days to weeks) make run efficiency critical.",
		},
	},
	"food_science": {
		screeningPreference: "fractional_factorial",
		rsmPreference:       "box_behnken",
		weights:             strategyWeights{0.30, 0.50, 0.10},
		minConfirmation:     3,
		minCentrePoints:     3,
		notes: map[string]string{
			"novice": "Food science experiments often involve formulation (mixture) components. " +
				"Box-Behnken designs are popular because they avoid extreme factor combinations " +
				"that may produce unphysical products.",
			"intermediate": "If formulation components must sum to a constant (e.g. 100%), use mixture " +
				"designs (simplex lattice or D-optimal mixture) instead of factorial designs. " +
				"BBD is preferred for RSM because it avoids corners where food products may be " +
				"unacceptable (e.g. too salty, too dry). Scheffe polynomials model mixture responses.",
		},
	},
	"extraction": {
		screeningPreference: "fractional_factorial",
		rsmPreference:       "ccd",
		weights:             strategyWeights{0.30, 0.50, 0.10},
		minConfirmation:     3,
		minCentrePoints:     3,
		notes: map[string]string{
			"novice": "Extraction processes (supercritical CO2, solvent extraction, microwave-assisted) " +
				"typically have 4-6 key factors: temperature, pressure, time, flow rate, " +
				"co-solvent percentage, and particle size.",
			"intermediate": "CCD with rotatable alpha provides uniform prediction variance across the " +
				"design region, which is important when the optimum may be near the region " +
				"boundary. Extraction yield curves are often strongly quadratic.",
		},
	},
	"analytical_method": {
		screeningPreference: "fractional_factorial",
		rsmPreference:       "ccd",
		weights:             strategyWeights{0.25, 0.45, 0.15},
		minConfirmation:     5,
		minCentrePoints:     3,
		notes: map[string]string{
			"novice": "Analytical method development follows Analytical Quality by Design (AQbD) " +
				"principles per ICH Q2/Q14. Factors include mobile phase composition, flow rate, " +
				"column temperature, pH, and injection volume.",
			"intermediate": "A robustness study is typically the final stage, verifying that the method " +
				"performs within specification when factors vary within normal operating ranges. " +
				"Fractional factorials at resolution IV are standard for robustness screening.",
		},
	},
	"cell_culture": {
		screeningPreference: "definitive_screening",
		rsmPreference:       "box_behnken",
		weights:             strategyWeights{0.35, 0.45, 0.10},
		minConfirmation:     3,
		minCentrePoints:     3,
		preferCurvature:     true,
		notes: map[string]string{
			"novice": "Cell culture experiments are expensive and time-consuming (often 14-21 days " +
				"per run). Definitive Screening Designs are recommended because they screen " +
				"factors and detect curvature simultaneously, saving an entire experimental stage.",
			"intermediate": "With potentially 50-100+ media components, a two-phase approach is typical: " +
				"first a library screen or PB to reduce to a manageable set, then a DSD or BBD " +
				"for fine-tuning. Run minimisation is the top priority given the long timelines " +
				"and high per-run costs.",
		},
	},
	"bioprocess": {
		screeningPreference: "plackett_burman",
		rsmPreference:       "ccd",
		weights:             strategyWeights{0.30, 0.50, 0.10},
		minConfirmation:     3,
		minCentrePoints:     5,
		notes: map[string]string{
			"novice": "Bioprocess optimisation (upstream and downstream) typically involves many " +
				"factors. Plackett-Burman screening identifies the vital few before investing " +
				"in detailed response surface studies.",
			"intermediate": "Scale-up from bench to pilot to production is a key consideration. Factors " +
				"that are hard to change at production scale (e.g. reactor geometry, impeller " +
				"type) should be flagged early. The strategy should consider whether results " +
				"will transfer across scales.",
		},
	},
	"general": {
		weights:         strategyWeights{0.30, 0.50, 0.10},
		minConfirmation: 3,
		minCentrePoints: 3,
		notes: map[string]string{
			"novice": "A general DOE strategy follows the screening-optimisation-confirmation " +
				"sequence. The specific design choices depend on the number of factors, " +
				"budget, and whether you have prior knowledge about which factors matter.",
			"intermediate": "The strategy follows the Stat-Ease SCOR framework: Screening, " +
				"Characterisation, Optimisation, Ruggedness/Robustness. Budget is allocated " +
				"roughly 25-40% screening, 40-55% optimisation, 5-15% confirmation.",
		},
	},
}
