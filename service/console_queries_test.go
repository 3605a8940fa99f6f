package service

import (
	"context"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
)

// TestDemoStaffCanWork: `serve --demo` twice creates the three demo logins
// once; the worker sees the demo round's rooms with their states, the
// designer may not (names and phones are for workers).
func TestDemoStaffCanWork(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		svc := newService(db)
		ctx := context.Background()
		for range 2 {
			if err := svc.LoadDemo(ctx); err != nil {
				t.Fatal(err)
			}
			if err := svc.LoadDemoStaff(ctx); err != nil {
				t.Fatal(err)
			}
		}
		actors := map[string]Actor{}
		for _, l := range DemoLogins {
			tokens, err := svc.Login(ctx, l.Username, l.Password)
			if err != nil {
				t.Fatalf("demo login %s: %v", l.Username, err)
			}
			actor, _, err := svc.ConsoleSession(ctx, tokens.RefreshToken)
			if err != nil || actor.Role != l.Role {
				t.Fatalf("the console session of %s: %+v, %v", l.Username, actor, err)
			}
			actors[l.Role] = actor
		}
		estates, _, err := svc.ListEstates(ctx, actors[RoleWorker], Page{})
		if err != nil || len(estates) != 1 {
			t.Fatalf("the demo worker sees %d estates (%v)", len(estates), err)
		}
		rounds, _, err := svc.ListRounds(ctx, actors[RoleWorker], estates[0].ID, Page{})
		if err != nil || len(rounds) != 1 {
			t.Fatalf("rounds: %d (%v)", len(rounds), err)
		}
		rooms, err := svc.RoundRooms(ctx, actors[RoleWorker], rounds[0].ID, "1", "1")
		if err != nil || len(rooms) != 20 {
			t.Fatalf("unit 1-1 of the demo has %d rooms (%v)", len(rooms), err)
		}
		states := map[string]int{}
		for _, r := range rooms {
			states[r.State]++
			if r.Phone == "" || r.OwnerName == "" {
				t.Errorf("room %s lacks the owner's name or phone: %+v", r.Room, r)
			}
		}
		if states[RoomNotVisited] == 0 || states[DecisionAgree] == 0 {
			t.Errorf("the demo unit's states: %v", states)
		}
		if _, err := svc.RoundRooms(ctx, actors[RoleDesigner], rounds[0].ID, "", ""); AsError(err).Code != "forbidden" {
			t.Errorf("a designer reading the rooms with names and phones: %v, want forbidden", err)
		}
	})
}
