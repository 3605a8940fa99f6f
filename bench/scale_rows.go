package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	mathrand "math/rand/v2"
	"sort"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"minyi/model"
	"minyi/service"
)

// The bulk rows of the scale seed, written as the service writes them (see
// service/audit.go for the ledger: sixteen hash chains per estate, an
// event's hash is SHA-256 over the previous hash and the event's canonical
// encoding). service.VerifyAudit checks the result in bench_test.go, so a
// change of the ledger's encoding fails the test rather than the benchmark.

// scaleAuditShards is the number of audit chains per estate (service/audit.go).
const scaleAuditShards = 16

// auditGenesis is the previous hash of a chain's first event.
const auditGenesis = "0000000000000000000000000000000000000000000000000000000000000000"

// scaleBatch is the number of rows per INSERT statement.
const scaleBatch = 500

// orderedID is a time-ordered (version 7) UUID, as the service makes ids.
func orderedID() string {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.NewString()
	}
	return id.String()
}

// seededHousehold is what the sign-offs need of a household.
type seededHousehold struct {
	ID, Building, OwnerName string
	Area                    int64
}

// insertHouseholds writes estate i's roster and one "household.create"
// audit event per household, in one transaction.
func (s *scaleSeeder) insertHouseholds(ctx context.Context, estateID string, i int) ([]seededHousehold, error) {
	n := s.householdsOf(i)
	now := time.Now().UTC()
	rows := make([]model.Household, n)
	out := make([]seededHousehold, n)
	rng := mathrand.New(mathrand.NewPCG(uint64(i), 1))
	for k := range rows {
		inBuilding := k % scaleBuildingSize
		floor := 1 + (inBuilding/scaleFlatsPerFloor)%scaleFloors
		h := model.Household{ID: orderedID(), EstateID: estateID,
			Building:       fmt.Sprint(1 + k/scaleBuildingSize),
			Unit:           fmt.Sprint(1 + inBuilding/(scaleFloors*scaleFlatsPerFloor)),
			Room:           fmt.Sprintf("%d%02d", floor, 1+inBuilding%scaleFlatsPerFloor),
			AreaHundredths: 4500 + rng.Int64N(5000),
			OwnerName:      surnames[rng.IntN(len(surnames))] + givenNames[rng.IntN(len(givenNames))],
			Phone:          fmt.Sprintf("13%d%08d", rng.IntN(10), rng.IntN(100000000)),
			Occupancy:      "owner", Eligible: true, CreatedAt: now, UpdatedAt: now}
		if k%9 == 4 {
			h.Occupancy = "rented"
		}
		rows[k] = h
		out[k] = seededHousehold{ID: h.ID, Building: h.Building, OwnerName: h.OwnerName, Area: h.AreaHundredths}
	}
	admin := service.Actor{Kind: service.ActorUser, ID: s.adminID, Role: service.RoleAdmin, Channel: service.ChannelAPI, RequestID: s.requests}
	err := s.db.Transaction(ctx, func(tx *gorm.DB) error {
		if err := tx.CreateInBatches(rows, scaleBatch).Error; err != nil {
			return err
		}
		ledger, err := openLedger(tx, s.db.Dialect, estateID)
		if err != nil {
			return err
		}
		for _, h := range rows {
			ledger.add(admin, estateID, "household.create", "household", h.ID, nil, map[string]any{
				"building": h.Building, "unit": h.Unit, "room": h.Room, "area_hundredths": h.AreaHundredths,
				"occupancy": h.Occupancy, "eligible": h.Eligible}, now)
		}
		return ledger.write(tx)
	})
	return out, err
}

// insertSignOffs records decisions of a share of the households (the
// worker's paper and door-to-door sign-offs), with their history rows,
// audit events and tally counters, in one transaction.
func (s *scaleSeeder) insertSignOffs(ctx context.Context, estateID, roundID, workerID string, households []seededHousehold, share float64, seed int64) error {
	rng := mathrand.New(mathrand.NewPCG(uint64(seed), 2))
	worker := service.Actor{Kind: service.ActorUser, ID: workerID, Role: service.RoleWorker, Channel: service.ChannelAPI, RequestID: s.requests}
	now := time.Now().UTC()
	type counterKey struct{ building, decision string }
	moves := map[counterKey]*model.TallyCounter{}
	var signOffs []model.SignOff
	var history []model.SignOffEvent
	for _, h := range households {
		if rng.Float64() >= share {
			continue
		}
		decision, comment := service.DecisionAgree, ""
		switch r := rng.IntN(100); {
		case r < 14:
			decision, comment = service.DecisionDisagree, objectionComments[rng.IntN(len(objectionComments))]
		case r < 22:
			decision = service.DecisionAbstain
		}
		channel := service.ChannelDoor
		if rng.IntN(5) < 2 {
			channel = service.ChannelPaper
		}
		so := model.SignOff{ID: orderedID(), RoundID: roundID, HouseholdID: h.ID, Building: h.Building, Decision: decision,
			Channel: channel, SignerName: h.OwnerName, Comment: comment, Version: 1, ActorKind: worker.Kind, ActorID: worker.ID, RecordedAt: now}
		signOffs = append(signOffs, so)
		history = append(history, model.SignOffEvent{ID: orderedID(), RoundID: roundID, HouseholdID: h.ID, Version: 1,
			NewDecision: decision, Channel: channel, SignerName: h.OwnerName, Comment: comment, ActorKind: worker.Kind,
			ActorID: worker.ID, ActorRole: worker.Role, RequestID: worker.RequestID, RecordedAt: now})
		key := counterKey{h.Building, decision}
		if moves[key] == nil {
			moves[key] = &model.TallyCounter{RoundID: roundID, Building: h.Building, Decision: decision}
		}
		moves[key].Households++
		moves[key].AreaHundredths += h.Area
	}
	if len(signOffs) == 0 {
		return nil
	}
	keys := make([]counterKey, 0, len(moves))
	for k := range moves {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool {
		return keys[a].building < keys[b].building || keys[a].building == keys[b].building && keys[a].decision < keys[b].decision
	})
	return s.db.Transaction(ctx, func(tx *gorm.DB) error {
		if err := tx.CreateInBatches(signOffs, scaleBatch).Error; err != nil {
			return err
		}
		if err := tx.CreateInBatches(history, scaleBatch).Error; err != nil {
			return err
		}
		for _, k := range keys {
			m := moves[k]
			res := tx.Exec(`UPDATE tally_counters SET households = households + ?, area_hundredths = area_hundredths + ?
				WHERE round_id = ? AND building = ? AND decision = ?`, m.Households, m.AreaHundredths, roundID, k.building, k.decision)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected != 1 {
				return fmt.Errorf("tally counter %s/%s/%s missing (was the round opened?)", roundID, k.building, k.decision)
			}
		}
		ledger, err := openLedger(tx, s.db.Dialect, estateID)
		if err != nil {
			return err
		}
		for _, so := range signOffs {
			ledger.add(worker, estateID, "signoff.record", "sign_off", so.ID, nil, map[string]any{"round_id": roundID,
				"household_id": so.HouseholdID, "decision": so.Decision, "version": so.Version, "channel": so.Channel}, now)
		}
		return ledger.write(tx)
	})
}

// ledger appends audit events to an estate's chains in memory and writes
// them, with the chains' new heads, at the end.
type ledger struct {
	heads   map[string]*model.AuditChain
	changed map[string]bool
	events  []model.AuditEvent
}

// openLedger reads (and on MySQL locks) the estate's chain heads.
func openLedger(tx *gorm.DB, dialect model.Dialect, estateID string) (*ledger, error) {
	q := tx.Where("estate_id = ?", estateID)
	if dialect == model.MySQL {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var heads []model.AuditChain
	if err := q.Find(&heads).Error; err != nil {
		return nil, err
	}
	l := &ledger{heads: map[string]*model.AuditChain{}, changed: map[string]bool{}}
	for i := range heads {
		l.heads[heads[i].ChainID] = &heads[i]
	}
	// A chain without events may have no head row yet (the service creates
	// them lazily on SQLite): start it at the genesis, as the service would.
	var missing []model.AuditChain
	for shard := range scaleAuditShards {
		id := fmt.Sprintf("%s/%02d", estateID, shard)
		if l.heads[id] == nil {
			missing = append(missing, model.AuditChain{ChainID: id, EstateID: estateID, HeadHash: auditGenesis})
		}
	}
	if len(missing) > 0 {
		if err := tx.Create(&missing).Error; err != nil {
			return nil, err
		}
		for i := range missing {
			l.heads[missing[i].ChainID] = &missing[i]
		}
	}
	return l, nil
}

// add appends one event to its chain, as service.audit would.
func (l *ledger) add(actor service.Actor, estateID, action, objectType, objectID string, before, after any, at time.Time) {
	sum := sha256.Sum256([]byte(objectID))
	chainID := fmt.Sprintf("%s/%02d", estateID, int(sum[0])%scaleAuditShards)
	e := model.AuditEvent{ID: orderedID(), ChainID: chainID, EstateID: estateID, ActorKind: actor.Kind, ActorID: actor.ID,
		ActorRole: actor.Role, Channel: actor.Channel, Action: action, ObjectType: objectType, ObjectID: objectID,
		BeforeSummary: ledgerSummary(before), AfterSummary: ledgerSummary(after), RequestID: actor.RequestID,
		OccurredAt: at.Truncate(time.Millisecond)}
	head := l.heads[chainID]
	e.Seq, e.PrevHash = head.Seq+1, head.HeadHash
	e.Hash = model.ChainHash(e.PrevHash, e.Canonical())
	head.Seq, head.PrevHash, head.HeadHash = e.Seq, e.PrevHash, e.Hash
	l.changed[chainID] = true
	l.events = append(l.events, e)
}

// write inserts the events and moves the changed chains' heads.
func (l *ledger) write(tx *gorm.DB) error {
	if err := tx.CreateInBatches(l.events, scaleBatch).Error; err != nil {
		return err
	}
	for chainID := range l.changed {
		h := l.heads[chainID]
		if err := tx.Exec(`UPDATE audit_chains SET seq = ?, prev_hash = ?, head_hash = ? WHERE chain_id = ?`,
			h.Seq, h.PrevHash, h.HeadHash, chainID).Error; err != nil {
			return err
		}
	}
	return nil
}

// ledgerSummary encodes a summary as the service does: compact JSON with
// sorted keys, numbers as JSON numbers; nil gives "".
func ledgerSummary(v any) string {
	if v == nil {
		return ""
	}
	raw, _ := json.Marshal(v)
	var generic any
	if json.Unmarshal(raw, &generic) != nil {
		return ""
	}
	raw, _ = json.Marshal(generic)
	return string(raw)
}

var surnames = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭"}

var givenNames = []string{"建国", "秀英", "桂兰", "志强", "淑珍", "德明", "玉梅", "国华", "丽娟", "海燕", "文斌", "春生"}

var objectionComments = []string{"", "担心低层采光受影响", "费用分摊方案不合理", "希望先公示设计图纸", ""}
