package rule

import "strings"

// presetLabels are the words the seed documents use for each preset's checks.
var presetLabels = map[string]map[string]string{
	PresetTwo80: {
		CheckParticipationHouseholds: "入户征询率",
		CheckAgreementHouseholds:     "签字同意率",
	},
	PresetCivilCodeMajor:    civilCodeLabels,
	PresetCivilCodeOrdinary: civilCodeLabels,
}

var civilCodeLabels = map[string]string{
	CheckParticipationArea:       "参与表决面积",
	CheckParticipationHouseholds: "参与表决人数",
	CheckAgreementArea:           "同意面积",
	CheckAgreementHouseholds:     "同意人数",
}

// Describe says the rule in Chinese for the public notice board, e.g. "入户征询率≥80%，签字同意率≥80%".
//
// Preset checks use the words of the seed documents; other checks are composed
// from their parts, e.g. "同意面积占总面积≥2/3". Strict checks use ">".
func (r Rule) Describe() string {
	parts := make([]string, len(r.Checks))
	for i, c := range r.Checks {
		label, ok := presetLabels[r.Preset][c.Name]
		if !ok || !sameShape(r.Preset, c) {
			label = c.label()
		}
		op := "≥"
		if c.Strict {
			op = ">"
		}
		parts[i] = label + op + c.Ratio.String()
	}
	return strings.Join(parts, "，")
}

// sameShape reports whether c counts what the preset's check of that name counts, so its label fits.
func sameShape(preset string, c Check) bool {
	checks, _ := presetChecks(preset)
	for _, p := range checks {
		if p.Name == c.Name {
			return p.Measure == c.Measure && p.Base == c.Base && p.Of == c.Of
		}
	}
	return false
}

// label composes "<who> 占 <of what>" from the check's parts, e.g. "同意户数占参与表决户数".
func (c Check) label() string {
	unit := "户数"
	if c.Measure == MeasureArea {
		unit = "面积"
	}
	who := "参与表决" + unit
	if c.Of == OfAgree {
		who = "同意" + unit
	}
	of := "总" + unit
	if c.Base == BaseParticipants {
		of = "参与表决" + unit
	}
	return who + "占" + of
}
