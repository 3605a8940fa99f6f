package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"minyi/model"
	"minyi/service/rule"
	"minyi/store"
)

// MinPublicBuildingHouseholds is the smallest electorate a building needs
// for its own figures to appear on public pages; smaller buildings are only
// shown merged with others. A round under this size shows no split of
// decisions while it is open.
const MinPublicBuildingHouseholds = 5

// NoticeBoard is the public read model of an estate's notice board (公示栏).
// It is built from aggregates, published answers and revisions only, so it
// holds no personal data by construction: no household, name, phone, room
// or individual decision ever enters it.
type NoticeBoard struct {
	Estate NoticeEstate
	// Rounds are the open and closed rounds, oldest first (drafts are not public).
	Rounds []NoticeRound
	// Revisions are the published plan revisions, oldest first; the last is the current plan.
	Revisions []PublicRevision
	// Answers are the published answers to objections, oldest first, without the objectors.
	Answers []PublicAnswer
	// Surveys are the closed surveys with at least MinPublicBuildingHouseholds responses, oldest first.
	Surveys []NoticeSurvey
	// Timeline lists when rounds opened and closed and revisions were published, oldest first.
	Timeline []NoticeEvent
	// Lifecycle is the stage timeline and the site information (stages_notice.go).
	Lifecycle NoticeLifecycle
	// LatestChange is when the estate last changed (rounds, roster, plan, answers);
	// sign-offs do not move it.
	LatestChange time.Time
	// ComputedAt is when the board was built: its figures are those of that moment.
	ComputedAt time.Time
	// Version fingerprints everything shown, for ETags and caches.
	Version string
}

// NoticeEstate is what the public may know of an estate.
type NoticeEstate struct {
	Code, Name, District, Street, Community, Address string
	// ContactPhone is the estate office's phone, published on purpose.
	ContactPhone string
	BuiltYear    *int
}

// NoticeRound is one consultation round as the public sees it: totals,
// the rule's checks and the per-building figures that are large enough to publish.
type NoticeRound struct {
	ID, Title, Kind, Status  string
	Seq                      int
	ScopeBuilding, ScopeUnit string
	// RevisionVersion is the version of the plan revision the round consults on, if any.
	RevisionVersion    *int
	OpenedAt, ClosesAt *time.Time
	ClosedAt           *time.Time
	// RuleDescription is the rule in words, e.g. "入户征询率≥80%，签字同意率≥80%".
	RuleDescription string
	RulePreset      string
	UsesArea        bool
	Electorate      rule.Amount
	Participated    rule.Amount
	Agree           rule.Amount
	Disagree        rule.Amount
	Abstain         rule.Amount
	Checks          []NoticeCheck
	Passed          bool
	// Shortfall is set only while the round is open.
	Shortfall *rule.Shortfall
	// Buildings are the buildings with at least MinPublicBuildingHouseholds
	// households whose figures can be shown without revealing a smaller group.
	Buildings []NoticeBuildingFigures
	// OtherBuildings merges the buildings not shown on their own (nil when none).
	OtherBuildings *NoticeBuildingFigures
	// AsOf is when the figures were taken: the snapshot's time while open, the close once closed.
	AsOf time.Time
	// SplitHidden is set while an open round has fewer than
	// MinPublicBuildingHouseholds households: Agree, Disagree, Abstain, the
	// checks' actual shares, Passed and Shortfall are then withheld (zero).
	SplitHidden bool
	// BuildingSplitHidden is set while the round is open: the buildings show
	// participation only, because between two snapshots one building's change
	// may cover fewer than NoticeBatchHouseholds households.
	BuildingSplitHidden bool
	// CountedReceipts are, once closed, the receipts of the counted decisions, in one sorted list (receipts.go).
	CountedReceipts []string
	// NoticePeriod is the result's notice period, once closed (round_notice.go).
	NoticePeriod *NoticePeriod
}

// NoticeCheck is one check of a round's rule with its progress.
type NoticeCheck struct {
	Name string
	// Label is the check in words, e.g. "入户征询率≥80%".
	Label    string
	Required string
	Actual   string
	Passed   bool
	// RequiredBasisPoints and ActualBasisPoints are the threshold and the
	// achieved share in hundredths of a percent (8000 = 80%), for progress bars.
	RequiredBasisPoints int64
	ActualBasisPoints   int64
}

// NoticeBuildingFigures are the counts of one building, or of several merged
// ones (then Building is empty and Buildings counts them).
type NoticeBuildingFigures struct {
	Building     string
	Buildings    int
	Electorate   int64
	Participated int64
	Agree        int64
	Disagree     int64
	Abstain      int64
}

// NoticeEvent is one entry of the notice board's timeline.
type NoticeEvent struct {
	At    time.Time
	Kind  string // round_opened, round_closed, revision_published
	Title string
}

// Timeline event kinds.
const (
	EventRoundOpened       = "round_opened"
	EventRoundClosed       = "round_closed"
	EventRevisionPublished = "revision_published"
)

// NoticeVersion returns a fingerprint of what an estate's notice board
// shows, after taking the snapshots that are due (notice_snapshots.go): the
// estate's last change (every write of a round, the roster or the plan
// touches it) and the times of its open rounds' snapshots. Sign-offs move
// neither, so the version (and the ETag) changes only when the board does.
// Errors: estate_not_found.
func (s *Service) NoticeVersion(ctx context.Context, code string) (string, error) {
	if !estateCodePattern.MatchString(code) {
		return "", NotFound("estate_not_found")
	}
	tx := s.read(ctx)
	estate, err := tx.EstateVersionByCode(code)
	if err != nil {
		return "", AsError(notFoundAs(err, "estate_not_found"))
	}
	if err := s.refreshNoticeSnapshots(ctx, estate.ID); err != nil {
		return "", err
	}
	expired, err := s.expiredSurveys(tx, estate.ID)
	if err != nil {
		return "", AsError(err)
	}
	snapshots, err := tx.SnapshotTimesOfEstate(estate.ID, RoundOpen)
	if err != nil {
		return "", AsError(err)
	}
	hash := sha256.New()
	fmt.Fprintf(hash, "%d;", estate.UpdatedAt.UnixNano())
	fmt.Fprintf(hash, "surveys:%d;", expired)
	for _, snap := range snapshots {
		fmt.Fprintf(hash, "%s|%d;", snap.RoundID, snap.TakenAt.UnixNano())
	}
	return hex.EncodeToString(hash.Sum(nil)[:12]), nil
}

// GetNoticeBoard builds the public notice board of the estate with the given
// code. Its Version is read first, so the content is at least as new as the
// version it is cached under. Errors: estate_not_found.
func (s *Service) GetNoticeBoard(ctx context.Context, code string) (*NoticeBoard, error) {
	version, err := s.NoticeVersion(ctx, code)
	if err != nil {
		return nil, err
	}
	tx := s.read(ctx)
	estate, err := tx.EstateByCode(code)
	if err != nil {
		return nil, AsError(notFoundAs(err, "estate_not_found"))
	}
	board := &NoticeBoard{Version: version, LatestChange: estate.UpdatedAt, ComputedAt: s.Now(), Estate: NoticeEstate{
		Code: estate.Code, Name: estate.Name, District: estate.District, Street: estate.Street,
		Community: estate.Community, Address: estate.Address, ContactPhone: estate.ContactPhone, BuiltYear: estate.BuiltYear,
	}}
	if board.Rounds, err = s.noticeRounds(tx, estate.ID); err != nil {
		return nil, AsError(model.Translate(err))
	}
	if board.Revisions, err = s.PublicRevisions(ctx, estate.ID); err != nil {
		return nil, err
	}
	if board.Answers, err = s.PublicAnswers(ctx, estate.ID); err != nil {
		return nil, err
	}
	if board.Surveys, err = s.noticeSurveys(tx, estate.ID); err != nil {
		return nil, AsError(model.Translate(err))
	}
	if board.Lifecycle, err = noticeLifecycle(tx, estate.ID); err != nil {
		return nil, AsError(model.Translate(err))
	}
	board.Timeline = roundEvents(board.Rounds)
	for _, rev := range board.Revisions {
		board.Timeline = append(board.Timeline, NoticeEvent{At: rev.PublishedAt, Kind: EventRevisionPublished,
			Title: fmt.Sprintf("第 %d 版：%s", rev.Version, rev.Title)})
	}
	sortTimeline(board.Timeline)
	return board, nil
}

// noticeRounds lists the estate's open and closed rounds, oldest first, each
// with its published tally: the last snapshot while open, the frozen result once closed.
func (s *Service) noticeRounds(tx *store.Tx, estateID string) ([]NoticeRound, error) {
	rounds, err := tx.PublicRoundsOfEstate(estateID, []string{RoundOpen, RoundClosed, RoundFinal, RoundVoided})
	if err != nil {
		return nil, err
	}
	revisionVersions, err := s.revisionVersions(tx, estateID, rounds)
	if err != nil {
		return nil, err
	}
	out := make([]NoticeRound, 0, len(rounds))
	for _, r := range rounds {
		view, err := decodeRound(r)
		if err != nil {
			return nil, err
		}
		tally, asOf, err := publishedTally(tx, view)
		if err != nil {
			return nil, err
		}
		if tally == nil && r.Status == RoundOpen {
			// Opened since this board's version was read: show it as it opened.
			if tally, err = openingTally(tx, view, timeOr(r.OpenedAt, s.Now())); err != nil {
				return nil, err
			}
			asOf = timeOr(r.OpenedAt, s.Now())
		} else if tally == nil {
			// A closed round without a stored result (never expected): its counters are frozen.
			if tally, err = s.computeTally(tx, view, timeOr(r.ClosedAt, s.Now())); err != nil {
				return nil, err
			}
			asOf = timeOr(r.ClosedAt, s.Now())
		}
		round := noticeRound(view, tally)
		round.AsOf = asOf
		if err := s.fillNoticePeriod(tx, &round, r); err != nil {
			return nil, err
		}
		if RoundEnded(r.Status) {
			if round.CountedReceipts, err = s.countedReceipts(tx, r.ID); err != nil {
				return nil, err
			}
		}
		if r.RevisionID != nil {
			if v, ok := revisionVersions[*r.RevisionID]; ok {
				round.RevisionVersion = &v
			}
		}
		out = append(out, round)
	}
	return out, nil
}

// timeOr is the time t points to, or fallback when t is nil.
func timeOr(t *time.Time, fallback time.Time) time.Time {
	if t == nil {
		return fallback
	}
	return *t
}

// revisionVersions maps the ids of the revisions the rounds consult on to their versions.
func (s *Service) revisionVersions(tx *store.Tx, estateID string, rounds []model.Round) (map[string]int, error) {
	versions := map[string]int{}
	var ids []string
	for _, r := range rounds {
		if r.RevisionID != nil {
			ids = append(ids, *r.RevisionID)
		}
	}
	if len(ids) == 0 {
		return versions, nil
	}
	rows, err := tx.RevisionVersions(estateID, ids)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		versions[r.ID] = r.Version
	}
	return versions, nil
}

// OpenNoticeAttachment opens an attachment of a plan revision of the estate
// with the given code: attachments are public with their revision, while
// objections' photos never are. The caller closes the file.
// Errors: estate_not_found, upload_not_found.
func (s *Service) OpenNoticeAttachment(ctx context.Context, code, uploadDir, uploadID string) (*model.Upload, *os.File, error) {
	if !estateCodePattern.MatchString(code) {
		return nil, nil, NotFound("estate_not_found")
	}
	estateID, err := s.read(ctx).EstateIDByCode(code)
	if err != nil {
		return nil, nil, AsError(notFoundAs(err, "estate_not_found"))
	}
	return s.OpenPublicAttachment(ctx, uploadDir, estateID, uploadID)
}

// noticeRound turns a round and its tally into the public view.
func noticeRound(view *RoundView, tally *Tally) NoticeRound {
	r := view.Round
	out := NoticeRound{
		ID: r.ID, Title: r.Title, Kind: r.Kind, Status: r.Status, Seq: r.Seq,
		ScopeBuilding: r.ScopeBuilding, ScopeUnit: r.ScopeUnit,
		OpenedAt: r.OpenedAt, ClosesAt: r.ClosesAt, ClosedAt: r.ClosedAt,
		RuleDescription: view.Rule.Describe(), RulePreset: view.Rule.Preset, UsesArea: view.Rule.UsesArea(),
		Electorate: tally.Electorate, Participated: tally.Participated,
		Agree: tally.Decisions[DecisionAgree], Disagree: tally.Decisions[DecisionDisagree], Abstain: tally.Decisions[DecisionAbstain],
		Passed: tally.Passed,
	}
	for i, result := range tally.Checks {
		check := NoticeCheck{Name: result.Name, Label: result.Name, Required: result.Required, Actual: result.Actual,
			Passed: result.Passed, ActualBasisPoints: percentToBasisPoints(result.Actual)}
		if i < len(view.Rule.Checks) && view.Rule.Checks[i].Name == result.Name {
			c := view.Rule.Checks[i]
			check.Label = rule.Rule{Preset: view.Rule.Preset, Checks: []rule.Check{c}}.Describe()
			if c.Ratio.Den > 0 {
				check.RequiredBasisPoints = c.Ratio.Num * 10000 / c.Ratio.Den
			}
		}
		out.Checks = append(out.Checks, check)
	}
	if r.Status == RoundOpen {
		shortfall := tally.Shortfall
		out.Shortfall = &shortfall
	}
	out.Buildings, out.OtherBuildings = publicBuildings(tally.ByBuilding)
	if r.Status == RoundOpen {
		withholdOpenSplits(&out)
	}
	return out
}

// withholdOpenSplits applies the small-group rule to an open round: no split
// of decisions for a round under MinPublicBuildingHouseholds households, and
// no building's split at all (participation only) until the round closes.
func withholdOpenSplits(r *NoticeRound) {
	r.BuildingSplitHidden = true
	for i := range r.Buildings {
		b := &r.Buildings[i]
		b.Agree, b.Disagree, b.Abstain = 0, 0, 0
	}
	if g := r.OtherBuildings; g != nil {
		g.Agree, g.Disagree, g.Abstain = 0, 0, 0
	}
	if r.Electorate.Households >= MinPublicBuildingHouseholds {
		return
	}
	r.SplitHidden = true
	r.Agree, r.Disagree, r.Abstain = rule.Amount{}, rule.Amount{}, rule.Amount{}
	r.Passed, r.Shortfall = false, nil
	for i := range r.Checks {
		c := &r.Checks[i]
		c.Actual, c.ActualBasisPoints, c.Passed = "", 0, false
	}
}

// percentToBasisPoints reads a percentage written by the rule engine
// ("71.43%") as hundredths of a percent (7143); unreadable text gives 0.
func percentToBasisPoints(text string) int64 {
	whole, fraction, _ := strings.Cut(strings.TrimSuffix(text, "%"), ".")
	fraction = (fraction + "00")[:2]
	n, err := strconv.ParseInt(whole+fraction, 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// publicBuildings splits a round's buildings into those whose figures can be
// published on their own and one merged group of the rest. A building with
// fewer than MinPublicBuildingHouseholds households is never shown alone;
// and since the round's totals are public, the merged group itself must also
// reach that size, or subtracting the shown buildings from the totals would
// reveal it: the smallest shown buildings join the group until it does.
func publicBuildings(all []BuildingTally) ([]NoticeBuildingFigures, *NoticeBuildingFigures) {
	var shown, hidden []BuildingTally
	for _, b := range all {
		if b.Electorate >= MinPublicBuildingHouseholds {
			shown = append(shown, b)
		} else if b.Electorate > 0 {
			hidden = append(hidden, b)
		}
	}
	if len(hidden) == 0 {
		return buildingFigures(shown), nil
	}
	sort.SliceStable(shown, func(i, j int) bool { return shown[i].Electorate < shown[j].Electorate })
	group := &NoticeBuildingFigures{}
	add := func(b BuildingTally) {
		group.Buildings++
		group.Electorate += b.Electorate
		group.Participated += b.Participated
		group.Agree += b.Agree
		group.Disagree += b.Disagree
		group.Abstain += b.Abstain
	}
	for _, b := range hidden {
		add(b)
	}
	for group.Electorate < MinPublicBuildingHouseholds && len(shown) > 0 {
		add(shown[0])
		shown = shown[1:]
	}
	sort.SliceStable(shown, func(i, j int) bool { return naturalLess(shown[i].Building, shown[j].Building) })
	return buildingFigures(shown), group
}

func buildingFigures(buildings []BuildingTally) []NoticeBuildingFigures {
	out := make([]NoticeBuildingFigures, 0, len(buildings))
	for _, b := range buildings {
		out = append(out, NoticeBuildingFigures{Building: b.Building, Buildings: 1, Electorate: b.Electorate,
			Participated: b.Participated, Agree: b.Agree, Disagree: b.Disagree, Abstain: b.Abstain})
	}
	return out
}

// roundEvents lists the openings and closings of rounds.
func roundEvents(rounds []NoticeRound) []NoticeEvent {
	var events []NoticeEvent
	for _, r := range rounds {
		if r.OpenedAt != nil {
			events = append(events, NoticeEvent{At: *r.OpenedAt, Kind: EventRoundOpened, Title: r.Title})
		}
		if r.ClosedAt != nil {
			events = append(events, NoticeEvent{At: *r.ClosedAt, Kind: EventRoundClosed, Title: r.Title})
		}
	}
	return events
}

// sortTimeline orders events oldest first.
func sortTimeline(events []NoticeEvent) {
	sort.SliceStable(events, func(i, j int) bool { return events[i].At.Before(events[j].At) })
}
