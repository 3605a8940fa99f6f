package service

import (
	"minyi/store"
)

// PersonRef names who did something in the way the reader may see: a role
// and a display name for everyone, and the user id for staff only. Residents
// never receive staff user ids (issue 11).
type PersonRef struct {
	ID          string // empty for residents
	Role        string
	DisplayName string
}

// Display names of actors that are not staff users.
const (
	residentDisplayName = "居民"
	systemDisplayName   = "系统"
)

// personRefs names the given users for the reader: staff see ids, residents
// do not. A resident actor is named only "居民", whatever the reader.
func personRefs(tx *store.Tx, reader Actor, userIDs []string) (map[string]PersonRef, error) {
	refs := map[string]PersonRef{}
	var ids []string
	for _, id := range userIDs {
		if _, seen := refs[id]; id != "" && !seen {
			refs[id] = PersonRef{}
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return refs, nil
	}
	users, err := tx.StaffNames(ids)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		ref := PersonRef{Role: u.Role, DisplayName: u.DisplayName}
		if reader.Role != RoleResident {
			ref.ID = u.ID
		}
		refs[u.ID] = ref
	}
	return refs, nil
}

// actorRef names the actor of a history entry for the reader.
func actorRef(refs map[string]PersonRef, kind, id, role string) PersonRef {
	switch kind {
	case ActorResident:
		return PersonRef{Role: RoleResident, DisplayName: residentDisplayName}
	case ActorUser:
		if ref, ok := refs[id]; ok && ref.Role != "" {
			return ref
		}
		return PersonRef{Role: role}
	}
	return PersonRef{Role: role, DisplayName: systemDisplayName}
}

// nameAnswerers names who answered and who closed each objection (for a
// resident reader without user ids; the HTTP layer shows only these names).
func nameAnswerers(tx *store.Tx, reader Actor, views []ObjectionView) error {
	var ids []string
	for _, v := range views {
		ids = append(ids, v.AnsweredBy, v.ClosedBy, v.HandlerID)
	}
	refs, err := personRefs(tx, reader, ids)
	if err != nil {
		return err
	}
	for i := range views {
		v := &views[i]
		if v.AnsweredBy != "" {
			ref := actorRef(refs, ActorUser, v.AnsweredBy, "")
			v.AnsweredByRef = &ref
		}
		if v.ClosedBy != "" {
			ref := actorRef(refs, ActorUser, v.ClosedBy, "")
			v.ClosedByRef = &ref
		}
		if v.HandlerID != "" {
			ref := actorRef(refs, ActorUser, v.HandlerID, "")
			v.HandlerRef = &ref
		}
	}
	return nil
}

// nameHistoryActors names the actor of each history entry; a resident
// reader sees who by role and name, never by user id.
func nameHistoryActors(tx *store.Tx, reader Actor, view *ObjectionView) error {
	var ids []string
	for _, e := range view.History {
		if e.ActorKind == ActorUser {
			ids = append(ids, e.ActorID)
		}
	}
	refs, err := personRefs(tx, reader, ids)
	if err != nil {
		return err
	}
	view.HistoryActors = make([]PersonRef, len(view.History))
	for i := range view.History {
		e := &view.History[i]
		view.HistoryActors[i] = actorRef(refs, e.ActorKind, e.ActorID, e.ActorRole)
		if reader.Role == RoleResident {
			e.ActorID = ""
		}
	}
	return nil
}
