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
	ActReadEstate     Action = "read_estate"     // admin, worker, designer; supervisor
	ActReadRoster     Action = "read_roster"     // admin, worker (designers reach no room: issue 11)
	ActEditRoster     Action = "edit_roster"     // admin, worker
	ActManageRounds   Action = "manage_rounds"   // admin, worker
	ActReadRounds     Action = "read_rounds"     // admin, worker, designer; supervisor
	ActRecordSignOffs Action = "record_signoffs" // admin, worker
	ActReadSignOffs   Action = "read_signoffs"   // admin, worker
	ActReadTally      Action = "read_tally"      // admin, worker, designer; supervisor
	ActRecount        Action = "recount"         // admin
	ActResident       Action = "resident"        // residents acting for their households
	ActAnswerFeedback Action = "answer_feedback" // admin, designer
	ActReadFeedback   Action = "read_feedback"   // admin, worker, designer
	ActFileObjection  Action = "file_objection"  // admin, worker, resident
	ActFollowUp       Action = "follow_up"       // admin, worker
	ActAudit          Action = "audit"           // admin; supervisor

	ActRecordAcceptance       Action = "record_acceptance"        // records an acceptance and its rectifications: admins and workers
	ActReadAcceptance         Action = "read_acceptance"          // reads acceptances: the estate's staff
	ActModerate               Action = "moderate"                 // reviewing held texts of an estate's residents
	ActReadNotifications      Action = "read_notifications"       // reading the outbox
	ActReadObjections         Action = "read_objections"          // lists and reads objections: staff of the estate, residents their own
	ActPublishRevisions       Action = "publish_revisions"        // publishes plan revisions
	ActReadRevisions          Action = "read_revisions"           // reads plan revisions: staff of the estate and its residents
	ActAssignObjection        Action = "assign_objection"         // names an objection's handler and due date
	ActReadObjectionSummary   Action = "read_objection_summary"   // counts an estate's objections by status, overdue ones included
	ActReadProgress           Action = "read_progress"            // reading a round's door-to-door progress, with the households still to reach
	ActExportRegister         Action = "export_register"          // downloading a round's sign-off register (签字登记表)
	ActFileReport             Action = "file_report"              // files a problem report: residents bound to a household of the estate
	ActHandleReports          Action = "handle_reports"           // assigns reports and records fixes: workers (and admins)
	ActConfirmReport          Action = "confirm_report"           // confirms a fix: the reporting resident
	ActReadReports            Action = "read_reports"             // lists reports: the estate's staff, residents their own
	ActIssueBindingCodes      Action = "issue_binding_codes"      // handing a household a code that binds a resident to it
	ActManageSigners          Action = "manage_household_signers" // choosing who signs for a household
	ActFileResultObjection    Action = "file_result_objection"    // object to a round's result in its notice period
	ActReadResultObjections   Action = "read_result_objections"   // read objections to results
	ActResolveResultObjection Action = "resolve_result_objection" // admin decides an objection to a result
	ActExportRoster           Action = "export_roster"            // downloading an estate's roster with names and phone numbers
	ActGovernRounds           Action = "govern_rounds"            // opening and closing rounds and choosing custom rules: admins only
	ActReadLifecycle          Action = "read_lifecycle"           // reads an estate's stages, preconditions and site information: its staff
	ActManageStages           Action = "manage_stages"            // moves an estate's stages and edits its site information
	ActRecordPreconditions    Action = "record_preconditions"     // records whether a precondition of construction is met
	ActManageSurveys          Action = "manage_surveys"           // draft, open and close surveys
	ActListSurveys            Action = "list_surveys"             // list an estate's surveys
	ActReadSurvey             Action = "read_survey"              // read a survey (residents: of their estates)
	ActReadSurveyResults      Action = "read_survey_results"      // read a survey's results
	ActRecordSurveyResponses  Action = "record_survey_responses"  // enter paper answers to a survey
	ActRecordVisits           Action = "record_visits"            // recording home visits (入户) of a round's households
	ActUpload                 Action = "upload"                   // uploading a photo or a drawing: every signed-in caller but a supervisor, who writes nothing
	ActReadVisits             Action = "read_visits"              // reading a round's home visits with their notes: admin, worker. It is apart from ActReadProgress so that supervisors, who read the progress, do not read the visit notes
)

// actionRoles is the one table of who may do what: every action of the
// service and the roles allowed to perform it (RoleAllowed), before any
// estate is considered (authorize). Supervisors (监督员) read: estates,
// rounds and their tally, door-to-door progress (without names or phones),
// objections and their summary, the audit ledger and acceptances; they write
// nothing.
var actionRoles = map[Action][]string{
	ActPublic:                 nil,
	ActAuthenticated:          {RoleAdmin, RoleWorker, RoleDesigner, RoleResident, RoleSupervisor},
	ActManageUsers:            {RoleAdmin},
	ActManageEstates:          {RoleAdmin},
	ActReadEstate:             {RoleAdmin, RoleWorker, RoleDesigner, RoleSupervisor},
	ActReadRoster:             {RoleAdmin, RoleWorker},
	ActEditRoster:             {RoleAdmin, RoleWorker},
	ActManageRounds:           {RoleAdmin, RoleWorker},
	ActReadRounds:             {RoleAdmin, RoleWorker, RoleDesigner, RoleSupervisor},
	ActRecordSignOffs:         {RoleAdmin, RoleWorker},
	ActReadSignOffs:           {RoleAdmin, RoleWorker},
	ActReadTally:              {RoleAdmin, RoleWorker, RoleDesigner, RoleSupervisor},
	ActRecount:                {RoleAdmin},
	ActResident:               {RoleResident},
	ActAnswerFeedback:         {RoleAdmin, RoleDesigner},
	ActReadFeedback:           {RoleAdmin, RoleWorker, RoleDesigner},
	ActFileObjection:          {RoleAdmin, RoleWorker, RoleResident},
	ActFollowUp:               {RoleAdmin, RoleWorker},
	ActAudit:                  {RoleAdmin, RoleSupervisor},
	ActRecordAcceptance:       {RoleAdmin, RoleWorker},
	ActReadAcceptance:         {RoleAdmin, RoleWorker, RoleDesigner, RoleSupervisor},
	ActModerate:               {RoleAdmin, RoleWorker},
	ActReadNotifications:      {RoleAdmin},
	ActReadObjections:         {RoleAdmin, RoleWorker, RoleDesigner, RoleResident, RoleSupervisor},
	ActPublishRevisions:       {RoleAdmin, RoleDesigner},
	ActReadRevisions:          {RoleAdmin, RoleWorker, RoleDesigner, RoleResident},
	ActAssignObjection:        {RoleAdmin, RoleWorker},
	ActReadObjectionSummary:   {RoleAdmin, RoleWorker, RoleDesigner, RoleSupervisor},
	ActReadProgress:           {RoleAdmin, RoleWorker, RoleSupervisor},
	ActExportRegister:         {RoleAdmin, RoleWorker},
	ActFileReport:             {RoleResident},
	ActHandleReports:          {RoleAdmin, RoleWorker},
	ActConfirmReport:          {RoleResident},
	ActReadReports:            {RoleAdmin, RoleWorker, RoleDesigner, RoleResident},
	ActIssueBindingCodes:      {RoleAdmin, RoleWorker},
	ActManageSigners:          {RoleAdmin, RoleWorker},
	ActFileResultObjection:    {RoleAdmin, RoleWorker, RoleResident},
	ActReadResultObjections:   {RoleAdmin, RoleWorker, RoleDesigner, RoleResident},
	ActResolveResultObjection: {RoleAdmin},
	ActExportRoster:           {RoleAdmin, RoleWorker},
	ActGovernRounds:           {RoleAdmin},
	ActReadLifecycle:          {RoleAdmin, RoleWorker, RoleDesigner},
	ActManageStages:           {RoleAdmin},
	ActRecordPreconditions:    {RoleAdmin, RoleWorker},
	ActManageSurveys:          {RoleAdmin, RoleWorker},
	ActListSurveys:            {RoleAdmin, RoleWorker, RoleDesigner},
	ActReadSurvey:             {RoleAdmin, RoleWorker, RoleDesigner, RoleResident},
	ActReadSurveyResults:      {RoleAdmin, RoleWorker, RoleDesigner},
	ActRecordSurveyResponses:  {RoleAdmin, RoleWorker},
	ActRecordVisits:           {RoleAdmin, RoleWorker},
	ActUpload:                 {RoleAdmin, RoleWorker, RoleDesigner, RoleResident},
	ActReadVisits:             {RoleAdmin, RoleWorker},
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
