package model_test

import (
	"context"
	"testing"
	"time"

	"minyi/model"
	"minyi/service"
)

// release1Data is a small consultation as release 1 stored it: an estate
// with a worker (in the table estate_staffs, renamed since), three
// households (phone numbers in plain text, one not eligible), an open round
// with its electorate, tally counters and a sign-off with its history.
var release1Data = []string{
	`INSERT INTO users (id, username, password_hash, display_name, role, disabled, created_at, updated_at)
		VALUES ('u-worker', 'worker1', 'x', '老王', 'worker', 0, '2026-01-02 03:04:05', '2026-01-02 03:04:05')`,
	`INSERT INTO estates (id, code, name, district, street, community, address, contact_phone, created_at, updated_at)
		VALUES ('e-1', 'old', '老小区', '江汉区', '', '', '幸福路1号', '027-12345678', '2026-01-02 03:04:05', '2026-01-02 03:04:05')`,
	`INSERT INTO estate_staffs (estate_id, user_id, role, created_at) VALUES ('e-1', 'u-worker', 'worker', '2026-01-02 03:04:05')`,
	`INSERT INTO households (id, estate_id, building, unit, room, area_hundredths, owner_name, phone, occupancy, eligible, created_at, updated_at)
		VALUES ('h-1', 'e-1', '1', '1', '101', 8950, '张三', '13800001111', 'owner', 1, '2026-01-02 03:04:05', '2026-01-02 03:04:05')`,
	`INSERT INTO households (id, estate_id, building, unit, room, area_hundredths, owner_name, phone, occupancy, eligible, created_at, updated_at)
		VALUES ('h-2', 'e-1', '1', '1', '102', 7000, '李四', '', 'rented', 1, '2026-01-02 03:04:05', '2026-01-02 03:04:05')`,
	`INSERT INTO households (id, estate_id, building, unit, room, area_hundredths, owner_name, phone, occupancy, eligible, created_at, updated_at)
		VALUES ('h-3', 'e-1', '1', '1', '103', 6000, '', '', 'vacant', 0, '2026-01-02 03:04:05', '2026-01-02 03:04:05')`,
	`INSERT INTO rounds (id, estate_id, seq, title, kind, rule_json, status, opened_at, electorate_households, electorate_area, created_by, created_at, updated_at)
		VALUES ('r-1', 'e-1', 1, '加装电梯意愿征询', 'willingness', '{"preset":"two-80"}', 'open', '2026-01-03 00:00:00', 2, 15950, 'u-worker', '2026-01-02 03:04:05', '2026-01-03 00:00:00')`,
	`INSERT INTO round_members (round_id, household_id, building, unit, area_hundredths) VALUES ('r-1', 'h-1', '1', '1', 8950)`,
	`INSERT INTO round_members (round_id, household_id, building, unit, area_hundredths) VALUES ('r-1', 'h-2', '1', '1', 7000)`,
	`INSERT INTO tally_counters (round_id, building, decision, households, area_hundredths) VALUES
		('r-1', '1', 'electorate', 2, 15950), ('r-1', '1', 'agree', 1, 8950), ('r-1', '1', 'disagree', 0, 0), ('r-1', '1', 'abstain', 0, 0)`,
	`INSERT INTO sign_offs (id, round_id, household_id, building, decision, channel, signer_name, evidence_url, comment, version, actor_kind, actor_id, recorded_at)
		VALUES ('s-1', 'r-1', 'h-1', '1', 'agree', 'paper', '张三', '', '', 1, 'user', 'u-worker', '2026-01-04 05:06:07')`,
	`INSERT INTO sign_off_events (id, round_id, household_id, version, old_decision, new_decision, channel, signer_name, comment, actor_kind, actor_id, actor_role, request_id, recorded_at)
		VALUES ('se-1', 'r-1', 'h-1', 1, '', 'agree', 'paper', '张三', '', 'user', 'u-worker', 'worker', 'req-1', '2026-01-04 05:06:07')`,
}

// TestUpgradeFromRelease1KeepsTheData applies release 1's migration only,
// stores data as release 1 did, applies the rest, and checks that the data
// is intact and that the service works on it (a worker's assignment moved
// with the renamed table, a sign-off is recorded, audited and counted).
func TestUpgradeFromRelease1KeepsTheData(t *testing.T) {
	bareDatabases(t, func(t *testing.T, open func() *model.DB) {
		ctx := context.Background()
		db := open()
		if err := db.MigrateTo(ctx, 1); err != nil {
			t.Fatal(err)
		}
		for _, statement := range release1Data {
			if err := db.Gorm.Exec(statement).Error; err != nil {
				t.Fatalf("release 1 data: %v\n%s", err, statement)
			}
		}
		if err := db.MigrateTo(ctx, 0); err != nil {
			t.Fatalf("upgrade: %v", err)
		}
		var households []model.Household
		if err := db.Gorm.Order("room").Find(&households).Error; err != nil {
			t.Fatal(err)
		}
		if len(households) != 3 || households[0].Phone != "13800001111" || households[0].OwnerName != "张三" ||
			households[0].AreaHundredths != 8950 || !households[0].Eligible || households[2].Eligible || households[1].Occupancy != "rented" {
			t.Fatalf("households after the upgrade: %+v", households)
		}
		var staff []model.EstateStaff
		if err := db.Gorm.Find(&staff).Error; err != nil || len(staff) != 1 || staff[0].UserID != "u-worker" {
			t.Fatalf("assignments after the upgrade: %+v %v", staff, err)
		}
		var events []model.SignOffEvent
		if err := db.Gorm.Find(&events).Error; err != nil || len(events) != 1 || events[0].RequestID != "req-1" ||
			!events[0].RecordedAt.Equal(time.Date(2026, 1, 4, 5, 6, 7, 0, time.UTC)) {
			t.Fatalf("history after the upgrade: %+v %v", events, err)
		}

		svc := service.New(db, service.Config{JWTSecret: []byte("upgrade-test-secret-0123456789abcdef")}, nil)
		if err := svc.EnsureAuditChains(ctx); err != nil {
			t.Fatal(err)
		}
		worker := service.Actor{Kind: service.ActorUser, ID: "u-worker", Role: service.RoleWorker, Channel: service.ChannelAPI}
		so, err := svc.RecordSignOff(ctx, worker, "r-1", "h-2", service.SignOffInput{Decision: service.DecisionAgree, Channel: service.ChannelDoor, SignerName: "李四"})
		if err != nil || so.Version != 1 {
			t.Fatalf("a sign-off on the upgraded round: %+v %v", so, err)
		}
		tally, err := svc.GetTally(ctx, service.SystemActor(), "r-1", true)
		if err != nil || !tally.Recount.Matches || tally.Decisions[service.DecisionAgree].Households != 2 || !tally.Passed {
			t.Fatalf("tally after the upgrade: %+v %v", tally, err)
		}
		report, err := svc.VerifyAudit(ctx, "old")
		if err != nil || len(report.Broken) > 0 || report.Events != 1 {
			t.Fatalf("audit after the upgrade: %+v %v", report, err)
		}
	})
}
