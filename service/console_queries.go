package service

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"sort"
	"time"

	"minyi/model"
	"minyi/store"
)

// Read-only queries the staff console needs that the JSON API has no single
// method for. They add no rule: access goes through authorize as everywhere.

// ConsoleSessionKey is the key the console signs its session cookies with,
// derived from the JWT secret so that every instance shares it.
func (s *Service) ConsoleSessionKey() []byte {
	mac := hmac.New(sha256.New, s.cfg.JWTSecret)
	mac.Write([]byte("minyi console session v1"))
	return mac.Sum(nil)
}

// ConsoleSession checks a console session handle (a refresh token issued by
// Login that the console keeps in its cookie) and returns the staff member
// behind it and when the session began. The session ends when its token is
// revoked (logout, password change, disabling) or expired, or when the
// account is disabled. Errors: session_expired.
func (s *Service) ConsoleSession(ctx context.Context, handle string) (Actor, time.Time, error) {
	tx := s.read(ctx)
	row, err := tx.ConsoleSessionToken(hashToken(handle))
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return Actor{}, time.Time{}, Unauthenticated("session_expired")
		}
		return Actor{}, time.Time{}, AsError(err)
	}
	if row.SubjectKind != ActorUser || row.RevokedAt != nil || row.UsedAt != nil || s.Now().After(row.ExpiresAt) {
		return Actor{}, time.Time{}, Unauthenticated("session_expired")
	}
	u, err := store.ByID[model.User](tx, row.SubjectID)
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return Actor{}, time.Time{}, Unauthenticated("session_expired")
		}
		return Actor{}, time.Time{}, AsError(err)
	}
	if u.Disabled {
		return Actor{}, time.Time{}, Unauthenticated("session_expired")
	}
	return Actor{Kind: ActorUser, ID: u.ID, Role: u.Role, Name: u.DisplayName}, row.CreatedAt, nil
}

// Room states shown on the worker's room grid.
const (
	RoomNotVisited = "not_visited"
	RoomVisited    = "visited"
)

// RoomState is one household of a round's electorate as the worker's room
// grid shows it: its address, owner, phone and where it stands.
type RoomState struct {
	HouseholdID    string
	Building       string
	Unit           string
	Room           string
	OwnerName      string
	Phone          string
	AreaHundredths int64
	// State is agree, disagree, abstain, visited or not_visited.
	State string
	// LastVisitOutcome is the latest visit's outcome, if any.
	LastVisitOutcome string
	// OpenObjection tells whether the household has an objection still open in this round.
	OpenObjection bool
}

// RoundRooms lists the households of an open or closed round's electorate
// with their state, optionally for one building (and unit), ordered by
// building, unit and room. Errors: round_not_found, round_not_open.
func (s *Service) RoundRooms(ctx context.Context, actor Actor, roundID, building, unit string) ([]RoomState, error) {
	tx := s.read(ctx)
	var round model.Round
	if err := s.loadRoundFor(tx, actor, roundID, ActReadProgress, &round); err != nil {
		return nil, AsError(err)
	}
	if round.Status == RoundDraft {
		return nil, Conflict("round_not_open", "a draft round has no electorate yet")
	}
	scope := store.RoomGridScope{RoundID: roundID, Building: building, Unit: unit}
	households, err := tx.RoomGridHouseholds(scope)
	if err != nil {
		return nil, AsError(err)
	}
	states, err := roomDecisions(tx, scope)
	if err != nil {
		return nil, AsError(err)
	}
	visits, err := s.lastVisits(tx, roundID)
	if err != nil {
		return nil, AsError(err)
	}
	objected, err := tx.HouseholdsWithObjectionIn(roundID, ObjectionOpen)
	if err != nil {
		return nil, AsError(err)
	}
	open := make(map[string]bool, len(objected))
	for _, id := range objected {
		open[id] = true
	}
	rooms := make([]RoomState, 0, len(households))
	for _, h := range households {
		r := RoomState{HouseholdID: h.ID, Building: h.Building, Unit: h.Unit, Room: h.Room, OwnerName: h.OwnerName,
			Phone: h.Phone, AreaHundredths: h.AreaHundredths, OpenObjection: open[h.ID], State: RoomNotVisited}
		if v, ok := visits[h.ID]; ok {
			r.State, r.LastVisitOutcome = RoomVisited, v.Outcome
		}
		if d, ok := states[h.ID]; ok && counted(d) {
			r.State = d
		}
		rooms = append(rooms, r)
	}
	sort.Slice(rooms, func(i, j int) bool {
		a, b := rooms[i], rooms[j]
		if a.Building != b.Building {
			return naturalLess(a.Building, b.Building)
		}
		if a.Unit != b.Unit {
			return naturalLess(a.Unit, b.Unit)
		}
		return naturalLess(a.Room, b.Room)
	})
	return rooms, nil
}

// roomDecisions maps household id → current decision for the members in scope.
func roomDecisions(tx *store.Tx, scope store.RoomGridScope) (map[string]string, error) {
	rows, err := tx.RoomGridDecisions(scope)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.HouseholdID] = r.Decision
	}
	return out, nil
}

// StaffAssignment is one worker or designer assigned to an estate.
type StaffAssignment struct {
	UserID      string
	Username    string
	DisplayName string
	Role        string
	Disabled    bool
}

// EstateStaff lists the staff assigned to an estate, for admins.
// Errors: estate_not_found, forbidden.
func (s *Service) EstateStaff(ctx context.Context, actor Actor, estateID string) ([]StaffAssignment, error) {
	tx := s.read(ctx)
	if err := s.authorize(tx, actor, estateID, ActManageEstates); err != nil {
		return nil, AsError(estateNotFound(err))
	}
	members, err := tx.EstateStaffMembers(estateID)
	if err != nil {
		return nil, AsError(err)
	}
	out := make([]StaffAssignment, 0, len(members))
	for _, m := range members {
		out = append(out, StaffAssignment{UserID: m.UserID, Username: m.Username, DisplayName: m.DisplayName, Role: m.Role, Disabled: m.Disabled})
	}
	return out, nil
}

// CountHouseholds counts an estate's eligible households (for the new-round
// form's example). Errors: estate_not_found.
func (s *Service) CountHouseholds(ctx context.Context, actor Actor, estateID string) (int64, error) {
	tx := s.read(ctx)
	if err := s.authorize(tx, actor, estateID, ActReadRoster); err != nil {
		return 0, AsError(estateNotFound(err))
	}
	n, err := tx.CountEligibleHouseholds(estateID)
	if err != nil {
		return 0, AsError(err)
	}
	return n, nil
}

// RegisterPrint is a round's sign-off register as the console prints it:
// the register's columns, with the evidence column saying only whether a
// photo exists.
type RegisterPrint struct {
	Header []string
	Rows   [][]string
}

// RegisterForPrint returns the rows of a round's sign-off register, in
// building, unit and room order. Errors: round_not_found, round_not_open (draft).
func (s *Service) RegisterForPrint(ctx context.Context, actor Actor, roundID string) (*RegisterPrint, error) {
	tx := s.read(ctx)
	var round model.Round
	if err := s.loadRoundFor(tx, actor, roundID, ActExportRegister, &round); err != nil {
		return nil, AsError(err)
	}
	if round.Status == RoundDraft {
		return nil, Conflict("round_not_open", "a draft round has no electorate yet")
	}
	lines, err := registerLines(tx, round.ID)
	if err != nil {
		return nil, AsError(err)
	}
	out := &RegisterPrint{Header: registerHeader, Rows: make([][]string, len(lines))}
	for i, l := range lines {
		cells := l.cells("")
		row := make([]string, len(cells))
		for j, c := range cells {
			row[j] = fmt.Sprint(c)
		}
		if last := len(row) - 1; row[last] != "" {
			row[last] = "有"
		}
		out.Rows[i] = row
	}
	return out, nil
}
