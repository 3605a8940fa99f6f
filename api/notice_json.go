package api

import (
	"net/url"

	"minyi/service"
	"minyi/service/rule"
)

// noticeJSON is the public notice board as JSON (GET /api/v1/public/estates/{code}):
// the same content as the HTML page, with no personal data.
type noticeJSON struct {
	Estate          noticeEstateJSON     `json:"estate"`
	CurrentRevision *noticeRevisionJSON  `json:"current_revision"`
	Revisions       []noticeRevisionJSON `json:"revisions"`
	Rounds          []noticeRoundJSON    `json:"rounds"`
	Answers         []noticeAnswerJSON   `json:"answers"`
	Surveys         []noticeSurveyJSON   `json:"surveys"`
	Timeline        []noticeEventJSON    `json:"timeline"`
	UpdatedAt       Time                 `json:"updated_at"`
	ComputedAt      Time                 `json:"computed_at"`
	NoticeURL       string               `json:"notice_url"`
	QRCodeURL       string               `json:"qrcode_url"`
	// Stages and Site: the renovation's timeline and 明白墙 (lifecycle_notice.go).
	Stages []noticeStageJSON `json:"stages"`
	Site   *noticeSiteJSON   `json:"site"`
	// Acceptances: the latest joint acceptances, newest first (lifecycle_notice.go).
	Acceptances []noticeAcceptanceJSON `json:"acceptances"`
	// Reports counts the problem reports (随手拍) by status (lifecycle_notice.go).
	Reports noticeReportsJSON `json:"reports"`
}

type noticeRevisionJSON struct {
	Version             int      `json:"version"`
	Title               string   `json:"title"`
	Summary             string   `json:"summary"`
	Changes             string   `json:"changes"`
	PublishedAt         Time     `json:"published_at"`
	AddressedObjections int      `json:"addressed_objections"`
	AttachmentIDs       []string `json:"attachment_ids"`
	AttachmentURLs      []string `json:"attachment_urls"`
}

type noticeAnswerJSON struct {
	Category        string `json:"category"`
	CategoryLabel   string `json:"category_label"`
	PlanItem        string `json:"plan_item"`
	PublicSummary   string `json:"public_summary"`
	Outcome         string `json:"outcome"`
	OutcomeLabel    string `json:"outcome_label"`
	Explanation     string `json:"explanation"`
	RevisionVersion *int   `json:"revision_version"`
	AnsweredAt      Time   `json:"answered_at"`
}

type noticeEstateJSON struct {
	Code         string `json:"code"`
	Name         string `json:"name"`
	District     string `json:"district"`
	Street       string `json:"street"`
	Community    string `json:"community"`
	Address      string `json:"address"`
	ContactPhone string `json:"contact_phone"`
	BuiltYear    *int   `json:"built_year"`
}

type noticeScopeJSON struct {
	Building string `json:"building"`
	Unit     string `json:"unit"`
}

type noticeRuleJSON struct {
	Preset      string `json:"preset"`
	Description string `json:"description"`
}

type noticeCheckJSON struct {
	Name     string `json:"name"`
	Label    string `json:"label"`
	Required string `json:"required"`
	Actual   string `json:"actual"`
	Passed   bool   `json:"passed"`
}

// noticeBuildingJSON is one building; its decisions are null while the round is open.
type noticeBuildingJSON struct {
	Building     string `json:"building"`
	Electorate   int64  `json:"electorate"`
	Participated int64  `json:"participated"`
	Agree        *int64 `json:"agree"`
	Disagree     *int64 `json:"disagree"`
	Abstain      *int64 `json:"abstain"`
}

type noticeBuildingGroupJSON struct {
	Buildings    int    `json:"buildings"`
	Electorate   int64  `json:"electorate"`
	Participated int64  `json:"participated"`
	Agree        *int64 `json:"agree"`
	Disagree     *int64 `json:"disagree"`
	Abstain      *int64 `json:"abstain"`
}

// noticeDecisionsJSON is a round's split of decisions.
type noticeDecisionsJSON struct {
	Agree    publicAmountJSON `json:"agree"`
	Disagree publicAmountJSON `json:"disagree"`
	Abstain  publicAmountJSON `json:"abstain"`
}

// publicAmountJSON is a decision's households and, only when the round's rule
// measures area, their area.
type publicAmountJSON struct {
	Households int64 `json:"households"`
	AreaM2     *Area `json:"area_m2,omitempty"`
}

func toPublicAmount(a rule.Amount, withArea bool) publicAmountJSON {
	out := publicAmountJSON{Households: a.Households}
	if withArea {
		area := Area(a.AreaHundredths)
		out.AreaM2 = &area
	}
	return out
}

// splitOrNull is the three decision counts, or three nulls when the split is withheld.
func splitOrNull(hidden bool, agree, disagree, abstain int64) (*int64, *int64, *int64) {
	if hidden {
		return nil, nil, nil
	}
	return &agree, &disagree, &abstain
}

type noticeRoundJSON struct {
	ID              string                   `json:"id"`
	Seq             int                      `json:"seq"`
	Title           string                   `json:"title"`
	Kind            string                   `json:"kind"`
	Status          string                   `json:"status"`
	Scope           noticeScopeJSON          `json:"scope"`
	RevisionVersion *int                     `json:"revision_version"`
	OpenedAt        *Time                    `json:"opened_at"`
	ClosesAt        *Time                    `json:"closes_at"`
	ClosedAt        *Time                    `json:"closed_at"`
	Rule            noticeRuleJSON           `json:"rule"`
	Electorate      amountJSON               `json:"electorate"`
	Participated    amountJSON               `json:"participated"`
	AsOf            Time                     `json:"as_of"`
	SplitHidden     bool                     `json:"split_hidden"`
	Decisions       *noticeDecisionsJSON     `json:"decisions"`
	Checks          []noticeCheckJSON        `json:"checks"`
	Passed          *bool                    `json:"passed"`
	Shortfall       *shortfallJSON           `json:"shortfall"`
	ByBuilding      []noticeBuildingJSON     `json:"by_building"`
	OtherBuildings  *noticeBuildingGroupJSON `json:"other_buildings"`
	CountedReceipts []string                 `json:"counted_receipts,omitempty"`
	NoticePeriod    *noticePeriodJSON        `json:"notice_period,omitempty"`
}

// noticePeriodJSON is a closed round's notice period (公示期) and the result's finality.
type noticePeriodJSON struct {
	EndsAt            *Time  `json:"ends_at"`
	Final             bool   `json:"final"`
	Voided            bool   `json:"voided"`
	VoidedExplanation string `json:"voided_explanation,omitempty"`
	CloseReason       string `json:"close_reason,omitempty"`
}

type noticeEventJSON struct {
	At    Time   `json:"at"`
	Kind  string `json:"kind"`
	Title string `json:"title"`
}

// toNoticeJSON converts the service's public read model field by field.
func toNoticeJSON(board *service.NoticeBoard, noticeURL, qrURL, attachmentBase string) noticeJSON {
	e := board.Estate
	out := noticeJSON{
		Estate: noticeEstateJSON{Code: e.Code, Name: e.Name, District: e.District, Street: e.Street,
			Community: e.Community, Address: e.Address, ContactPhone: e.ContactPhone, BuiltYear: e.BuiltYear},
		Rounds:     make([]noticeRoundJSON, 0, len(board.Rounds)),
		Timeline:   make([]noticeEventJSON, 0, len(board.Timeline)),
		UpdatedAt:  Time(board.LatestChange),
		ComputedAt: Time(board.ComputedAt),
		NoticeURL:  noticeURL,
		QRCodeURL:  qrURL,
	}
	out.Revisions = make([]noticeRevisionJSON, 0, len(board.Revisions))
	for _, rev := range board.Revisions {
		attachments := rev.AttachmentIDs
		if attachments == nil {
			attachments = []string{}
		}
		urls := make([]string, len(attachments))
		for i, id := range attachments {
			urls[i] = attachmentBase + url.PathEscape(id)
		}
		out.Revisions = append(out.Revisions, noticeRevisionJSON{Version: rev.Version, Title: rev.Title, Summary: rev.Summary,
			Changes: rev.Changes, PublishedAt: Time(rev.PublishedAt), AddressedObjections: rev.AddressedCount,
			AttachmentIDs: attachments, AttachmentURLs: urls})
	}
	if n := len(out.Revisions); n > 0 {
		out.CurrentRevision = &out.Revisions[n-1]
	}
	for _, r := range board.Rounds {
		out.Rounds = append(out.Rounds, toNoticeRoundJSON(r))
	}
	out.Answers = make([]noticeAnswerJSON, 0, len(board.Answers))
	for _, a := range board.Answers {
		out.Answers = append(out.Answers, noticeAnswerJSON{Category: a.Category, CategoryLabel: service.CategoryLabel(a.Category),
			PlanItem: a.PlanItem, PublicSummary: a.PublicSummary, Outcome: a.Outcome, OutcomeLabel: service.OutcomeLabel(a.Outcome),
			Explanation: a.Explanation, RevisionVersion: a.RevisionVersion, AnsweredAt: Time(a.AnsweredAt)})
	}
	out.Surveys = toNoticeSurveysJSON(board.Surveys)
	for _, ev := range board.Timeline {
		out.Timeline = append(out.Timeline, noticeEventJSON{At: Time(ev.At), Kind: ev.Kind, Title: ev.Title})
	}
	addLifecycleJSON(&out, board.Lifecycle)
	return out
}

func toNoticeRoundJSON(r service.NoticeRound) noticeRoundJSON {
	out := noticeRoundJSON{
		ID: r.ID, Seq: r.Seq, Title: r.Title, Kind: r.Kind, Status: r.Status,
		Scope: noticeScopeJSON{Building: r.ScopeBuilding, Unit: r.ScopeUnit}, RevisionVersion: r.RevisionVersion,
		OpenedAt: timePtr(r.OpenedAt), ClosesAt: timePtr(r.ClosesAt), ClosedAt: timePtr(r.ClosedAt),
		Rule:       noticeRuleJSON{Preset: r.RulePreset, Description: r.RuleDescription},
		Electorate: toAmount(r.Electorate), Participated: toAmount(r.Participated),
		AsOf: Time(r.AsOf), SplitHidden: r.SplitHidden,
		Checks:     make([]noticeCheckJSON, 0, len(r.Checks)),
		ByBuilding: make([]noticeBuildingJSON, 0, len(r.Buildings)),
	}
	if !r.SplitHidden {
		out.Decisions = &noticeDecisionsJSON{Agree: toPublicAmount(r.Agree, r.UsesArea),
			Disagree: toPublicAmount(r.Disagree, r.UsesArea), Abstain: toPublicAmount(r.Abstain, r.UsesArea)}
		passed := r.Passed
		out.Passed = &passed
	}
	out.CountedReceipts = r.CountedReceipts
	if p := r.NoticePeriod; p != nil {
		out.NoticePeriod = &noticePeriodJSON{EndsAt: timePtr(p.EndsAt), Final: p.Final, Voided: p.Voided,
			VoidedExplanation: p.VoidedExplanation, CloseReason: p.CloseReason}
	}
	for _, ch := range r.Checks {
		if r.SplitHidden {
			break
		}
		out.Checks = append(out.Checks, noticeCheckJSON{Name: ch.Name, Label: ch.Label, Required: ch.Required,
			Actual: ch.Actual, Passed: ch.Passed})
	}
	if r.Shortfall != nil {
		out.Shortfall = &shortfallJSON{Possible: r.Shortfall.Possible}
		if r.Shortfall.Possible {
			n := r.Shortfall.AgreeHouseholdsNeeded
			out.Shortfall.AgreeHouseholdsNeeded = &n
		}
	}
	for _, b := range r.Buildings {
		view := noticeBuildingJSON{Building: b.Building, Electorate: b.Electorate, Participated: b.Participated}
		view.Agree, view.Disagree, view.Abstain = splitOrNull(r.BuildingSplitHidden, b.Agree, b.Disagree, b.Abstain)
		out.ByBuilding = append(out.ByBuilding, view)
	}
	if g := r.OtherBuildings; g != nil {
		group := &noticeBuildingGroupJSON{Buildings: g.Buildings, Electorate: g.Electorate, Participated: g.Participated}
		group.Agree, group.Disagree, group.Abstain = splitOrNull(r.BuildingSplitHidden, g.Agree, g.Disagree, g.Abstain)
		out.OtherBuildings = group
	}
	return out
}
