package service

// Objection statuses: open → answered → closed.
const (
	ObjectionOpen     = "open"
	ObjectionAnswered = "answered"
	ObjectionClosed   = "closed"
)

// Answer outcomes of an objection.
const (
	OutcomeAdopted          = "adopted"
	OutcomePartiallyAdopted = "partially_adopted"
	OutcomeNotAdopted       = "not_adopted"
)

// Moderation states of an objection's text.
const (
	ModerationPublished = "published"
	ModerationHeld      = "held"
	ModerationRejected  = "rejected"
)

// ObjectionCategory is one entry of the fixed list of objection topics.
type ObjectionCategory struct {
	Code  string // e.g. "elevator"
	Label string // Chinese label shown to residents and on the notice board
}

// ObjectionCategories is the fixed, documented list of objection topics, in display order.
var ObjectionCategories = []ObjectionCategory{
	{"elevator", "加装电梯"},
	{"parking", "停车"},
	{"greening", "绿化"},
	{"drainage", "雨污排水"},
	{"pipes", "水电气管网"},
	{"facade", "外立面"},
	{"safety", "安全"},
	{"accessibility", "无障碍"},
	{"cost", "费用分摊"},
	{"construction", "施工"},
	{"management", "物业管理"},
	{"other", "其他"},
}

// CategoryLabel gives the Chinese label of a category code ("" when unknown).
func CategoryLabel(code string) string {
	for _, c := range ObjectionCategories {
		if c.Code == code {
			return c.Label
		}
	}
	return ""
}

// OutcomeLabel gives the Chinese label of an answer outcome ("" when unknown).
func OutcomeLabel(outcome string) string {
	switch outcome {
	case OutcomeAdopted:
		return "已采纳"
	case OutcomePartiallyAdopted:
		return "部分采纳"
	case OutcomeNotAdopted:
		return "未采纳"
	}
	return ""
}
