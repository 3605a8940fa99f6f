package service

import (
	"context"
	"sort"
	"time"

	"minyi/store"
)

// Kinds of feedback items.
const (
	FeedbackObjection       = "objection"
	FeedbackDisagreeComment = "disagree_comment"
)

// CategoryDisagreeComment is the group of the comments of disagree sign-offs,
// which carry no category of their own.
const CategoryDisagreeComment = "disagree_comment"

// FeedbackCounts counts a group's items. Answered counts objections with an
// answer (answered or closed); adopted, partially adopted and not adopted
// split them by outcome; closed counts those whose follow-up is done.
type FeedbackCounts struct {
	Total            int // objections and comments
	Objections       int
	Comments         int
	Open             int
	Answered         int
	Adopted          int
	PartiallyAdopted int
	NotAdopted       int
	Closed           int
}

func (c *FeedbackCounts) add(item FeedbackItem) {
	c.Total++
	if item.Kind == FeedbackDisagreeComment {
		c.Comments++
		return
	}
	c.Objections++
	switch item.Status {
	case ObjectionOpen:
		c.Open++
		return
	case ObjectionClosed:
		c.Closed++
	}
	c.Answered++
	switch item.Outcome {
	case OutcomeAdopted:
		c.Adopted++
	case OutcomePartiallyAdopted:
		c.PartiallyAdopted++
	case OutcomeNotAdopted:
		c.NotAdopted++
	}
}

// FeedbackItem is one objection or one disagree sign-off's comment (its
// kind and the row the store read). Room is empty for designers; no names
// or phone numbers are ever included.
type FeedbackItem struct {
	Kind string
	store.FeedbackRow
}

// FeedbackGroup is the feedback on one plan item of one category.
type FeedbackGroup struct {
	Category      string
	CategoryLabel string
	PlanItem      string
	Counts        FeedbackCounts
	Items         []FeedbackItem
}

// Feedback is everything residents said about an estate's plan (or one
// round), grouped for the designers.
type Feedback struct {
	EstateID    string
	RoundID     *string
	Totals      FeedbackCounts
	Groups      []FeedbackGroup
	GeneratedAt time.Time
}

// Feedback gathers an estate's objections and the comments of disagree
// sign-offs (of one round when roundID is set), grouped by category (in the
// order of the fixed list, disagree comments last) and plan item, with counts.
// Errors: estate_not_found, round_not_found.
func (s *Service) Feedback(ctx context.Context, actor Actor, estateID, roundID string) (*Feedback, error) {
	tx := s.read(ctx)
	if err := s.authorizeEstate(tx, actor, estateID, ActReadFeedback); err != nil {
		return nil, err
	}
	out := &Feedback{EstateID: estateID, GeneratedAt: s.Now(), Groups: []FeedbackGroup{}}
	if roundID != "" {
		found, err := tx.RoundInEstate(roundID, estateID)
		if err != nil {
			return nil, AsError(err)
		}
		if !found {
			return nil, NotFound("round_not_found")
		}
		out.RoundID = &roundID
	}
	objections, err := feedbackObjections(tx, estateID, roundID)
	if err != nil {
		return nil, AsError(err)
	}
	comments, err := disagreeComments(tx, estateID, roundID)
	if err != nil {
		return nil, AsError(err)
	}
	items := append(objections, comments...)
	if actor.Role == RoleDesigner {
		for i := range items {
			items[i].Room = ""
		}
	}
	out.Groups, out.Totals = groupFeedback(items)
	return out, nil
}

// feedbackObjections reads the objections with their households' addresses.
func feedbackObjections(tx *store.Tx, estateID, roundID string) ([]FeedbackItem, error) {
	rows, err := tx.FeedbackObjections(estateID, roundID)
	if err != nil {
		return nil, err
	}
	items := make([]FeedbackItem, len(rows))
	for i, r := range rows {
		items[i] = FeedbackItem{FeedbackRow: r}
		items[i].Kind = FeedbackObjection
	}
	return items, nil
}

// disagreeComments reads the non-empty comments of current disagree sign-offs.
func disagreeComments(tx *store.Tx, estateID, roundID string) ([]FeedbackItem, error) {
	rows, err := tx.FeedbackComments(estateID, roundID, DecisionDisagree)
	if err != nil {
		return nil, err
	}
	items := make([]FeedbackItem, len(rows))
	for i, r := range rows {
		items[i] = FeedbackItem{FeedbackRow: r}
		items[i].Kind, items[i].Category = FeedbackDisagreeComment, CategoryDisagreeComment
	}
	return items, nil
}

// groupFeedback groups items by category and plan item and counts them.
func groupFeedback(items []FeedbackItem) ([]FeedbackGroup, FeedbackCounts) {
	order := map[string]int{CategoryDisagreeComment: len(ObjectionCategories)}
	for i, c := range ObjectionCategories {
		order[c.Code] = i
	}
	type key struct{ category, planItem string }
	index := map[key]int{}
	groups := []FeedbackGroup{}
	var totals FeedbackCounts
	for _, item := range items {
		k := key{item.Category, item.PlanItem}
		i, ok := index[k]
		if !ok {
			label := CategoryLabel(item.Category)
			if item.Category == CategoryDisagreeComment {
				label = "反对签字附言"
			}
			i = len(groups)
			index[k] = i
			groups = append(groups, FeedbackGroup{Category: item.Category, CategoryLabel: label, PlanItem: item.PlanItem})
		}
		groups[i].Items = append(groups[i].Items, item)
		groups[i].Counts.add(item)
		totals.add(item)
	}
	sort.SliceStable(groups, func(a, b int) bool {
		if groups[a].Category != groups[b].Category {
			return order[groups[a].Category] < order[groups[b].Category]
		}
		return groups[a].PlanItem < groups[b].PlanItem
	})
	return groups, totals
}
