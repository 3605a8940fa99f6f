package service

import (
	"errors"

	"minyi/model"
	"minyi/store"
)

// Roles of the people who use the service.
const (
	RoleAdmin    = "admin"
	RoleWorker   = "worker"
	RoleDesigner = "designer"
	RoleResident = "resident"
	// RoleSupervisor is a supervisor (监督员) assigned to estates: read-only.
	RoleSupervisor = "supervisor"
)

// Action is something a caller does; each action names the roles allowed to
// do it. The router declares the action of every route, so a generated test
// can try every route as every role.
type Action string

// The actions of the API.
const (
	ActPublic         Action = "public"          // anyone, no token
	ActAuthenticated  Action = "authenticated"   // any signed-in caller
	ActManageUsers    Action = "manage_users"    // admin
	ActManageEstates  Action = "manage_estates"  // admin
	ActReadEstate     Action = "read_estate"     // admin, worker, designer; supervisor (supervisorReads)
	ActReadRoster     Action = "read_roster"     // admin, worker (designers reach no room: issue 11)
	ActEditRoster     Action = "edit_roster"     // admin, worker
	ActManageRounds   Action = "manage_rounds"   // admin, worker
	ActReadRounds     Action = "read_rounds"     // admin, worker, designer; supervisor (supervisorReads)
	ActRecordSignOffs Action = "record_signoffs" // admin, worker
	ActReadSignOffs   Action = "read_signoffs"   // admin, worker
	ActReadTally      Action = "read_tally"      // admin, worker, designer; supervisor (supervisorReads)
	ActRecount        Action = "recount"         // admin
	ActResident       Action = "resident"        // residents acting for their households
	ActAnswerFeedback Action = "answer_feedback" // admin, designer
	ActReadFeedback   Action = "read_feedback"   // admin, worker, designer
	ActFileObjection  Action = "file_objection"  // admin, worker, resident
	ActFollowUp       Action = "follow_up"       // admin, worker
	ActAudit          Action = "audit"           // admin; supervisor (supervisorReads)
)

var actionRoles = map[Action][]string{
	ActPublic:         nil,
	ActAuthenticated:  {RoleAdmin, RoleWorker, RoleDesigner, RoleResident, RoleSupervisor},
	ActManageUsers:    {RoleAdmin},
	ActManageEstates:  {RoleAdmin},
	ActReadEstate:     {RoleAdmin, RoleWorker, RoleDesigner},
	ActReadRoster:     {RoleAdmin, RoleWorker},
	ActEditRoster:     {RoleAdmin, RoleWorker},
	ActManageRounds:   {RoleAdmin, RoleWorker},
	ActReadRounds:     {RoleAdmin, RoleWorker, RoleDesigner},
	ActRecordSignOffs: {RoleAdmin, RoleWorker},
	ActReadSignOffs:   {RoleAdmin, RoleWorker},
	ActReadTally:      {RoleAdmin, RoleWorker, RoleDesigner},
	ActRecount:        {RoleAdmin},
	ActResident:       {RoleResident},
	ActAnswerFeedback: {RoleAdmin, RoleDesigner},
	ActReadFeedback:   {RoleAdmin, RoleWorker, RoleDesigner},
	ActFileObjection:  {RoleAdmin, RoleWorker, RoleResident},
	ActFollowUp:       {RoleAdmin, RoleWorker},
	ActAudit:          {RoleAdmin},
}

// RolesFor lists the roles allowed to perform an action (nil for public actions).
func RolesFor(a Action) []string { return actionRoles[a] }

// RoleAllowed tells whether a role may perform an action at all, before any
// estate is considered.
func RoleAllowed(a Action, role string) bool {
	roles, ok := actionRoles[a]
	if !ok {
		return false
	}
	if a == ActPublic {
		return true
	}
	for _, r := range roles {
		if r == role {
			return true
		}
	}
	return false
}

// authorize is the one function that decides whether an actor may perform an
// action on an estate: the role must allow the action (else forbidden), and
// the estate must be visible to the actor (else not found, so that ids of
// other estates cannot be probed). Assignments are read from the database on
// every call, so a removed assignment takes effect at once.
func (s *Service) authorize(tx *store.Tx, actor Actor, estateID string, action Action) error {
	if actor.Kind == ActorSystem {
		return nil
	}
	if !RoleAllowed(action, actor.Role) {
		return Forbidden("forbidden")
	}
	visible, err := s.canSeeEstate(tx, actor, estateID)
	if err != nil {
		return err
	}
	return s.decide(actor, action, visible)
}

// decide is authorize's verdict once the estate's visibility to the actor is
// known (callers that read the assignment in a larger query use it directly).
func (s *Service) decide(actor Actor, action Action, visible bool) error {
	if actor.Kind == ActorSystem {
		return nil
	}
	if !RoleAllowed(action, actor.Role) {
		return Forbidden("forbidden")
	}
	if !visible {
		return NotFound("not_found")
	}
	return nil
}

func (s *Service) canSeeEstate(tx *store.Tx, actor Actor, estateID string) (bool, error) {
	switch actor.Role {
	case RoleAdmin:
		return true, nil
	case RoleWorker, RoleDesigner, RoleSupervisor:
		return tx.IsAssignedToEstate(estateID, actor.ID, actor.Role)
	case RoleResident:
		return s.residentCanSeeEstate(tx, actor.ID, estateID)
	}
	return false, nil
}

// hiddenAs gives authorize's not-found answer (an estate the actor may not
// see) the code of the object that was asked for; other errors pass.
func hiddenAs(err error, code string) error {
	if se := AsError(err); se.Kind == KindNotFound {
		return NotFound(code)
	}
	return err
}

// notFoundAs turns a missing row into a not-found error with a specific code.
func notFoundAs(err error, code string) error {
	if errors.Is(model.Translate(err), model.ErrNotFound) {
		return NotFound(code)
	}
	return model.Translate(err)
}

// ActUpload is uploading a photo or a drawing: every signed-in caller but a
// supervisor, who writes nothing.
var ActUpload = defineAction("upload", RoleAdmin, RoleWorker, RoleDesigner, RoleResident)

// ActReadVisits is reading a round's home visits with their notes: admin,
// worker. It is apart from ActReadProgress so that supervisors, who read the
// progress, do not read the visit notes.
var ActReadVisits = defineAction("read_visits", RoleAdmin, RoleWorker)

// supervisorReads are the actions a supervisor (监督员) may perform, all of
// them reads (contract: tally, progress without names or phones,
// objections, audit, acceptance): the estates they are assigned to, rounds
// and their tally, door-to-door progress (the HTTP layer drops names and
// phones), objections (addresses without rooms), the objection summary and
// the audit ledger. Acceptance joins when it exists: add its read action
// here. A supervisor may perform no write.
func supervisorReads() []Action {
	return []Action{ActReadEstate, ActReadRounds, ActReadTally, ActReadProgress, ActReadObjections,
		ActReadObjectionSummary, ActAudit, ActReadAcceptance}
}

func init() {
	for _, a := range supervisorReads() {
		actionRoles[a] = append(actionRoles[a], RoleSupervisor)
	}
}

// defineAction declares an action and the roles allowed to do it; parts of
// the service declare their own actions with it.
func defineAction(name string, roles ...string) Action {
	a := Action(name)
	actionRoles[a] = roles
	return a
}
