package service

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"minyi/model"
	"minyi/store"
)

// Types of the records of an offline batch.
const (
	SyncSignOff  = "signoff"
	SyncWithdraw = "withdraw"
	SyncVisit    = "visit"
)

// Outcomes of one record of an offline batch.
const (
	SyncApplied   = "applied"
	SyncDuplicate = "duplicate"
	SyncRejected  = "rejected"
)

// MaxSyncRecords bounds one offline batch.
const MaxSyncRecords = 1000

// maxDeviceClockSkew is how far in the future a device's time may be; a
// record dated later is refused, one within it is taken as now.
const maxDeviceClockSkew = 5 * time.Minute

// syncChunkSize is how many records share one transaction. One transaction
// per record costs a commit each; one for the whole batch holds the locks of
// up to 1,000 households for its whole length. Measured in BenchmarkSync;
// with the batched write (sync_batch.go) a chunk of 1,000 was not clearly
// faster over HTTP than ten of 100 (161-302 ms against 165-176 ms for
// 1,000 records, MariaDB, load 4-5), and it would hold the estate's audit
// chains and its households' rows ten times as long.
var syncChunkSize = 100

// SyncRecordInput is one record of an offline batch, made on a worker's
// phone: a sign-off, a withdrawal or a visit.
type SyncRecordInput struct {
	// ClientID is a UUID the device generated; a repeated one is applied once.
	ClientID    string
	Type        string
	HouseholdID string
	// RecordedAt is when the record was made, by the device's clock (zero
	// when the client sent no valid time).
	RecordedAt time.Time
	// SignOff is the decision of a "signoff" record; its Channel (paper,
	// door, proxy) also applies to a withdrawal.
	SignOff SignOffInput
	// Visit is the outcome and note of a "visit" record.
	Visit VisitInput
}

// SyncResult is what happened to one record.
type SyncResult struct {
	ClientID    string `json:"client_id"`
	Type        string `json:"type"`
	HouseholdID string `json:"household_id"`
	Status      string `json:"status"`
	// FirstStatus is the status of the first delivery, on a duplicate.
	FirstStatus string `json:"first_status,omitempty"`
	// Superseded is set when a sign-off or withdrawal was older than the
	// household's current decision: it is kept in the history and changes nothing.
	Superseded bool          `json:"superseded,omitempty"`
	Error      *SyncError    `json:"error,omitempty"`
	SignOff    *SyncDecision `json:"signoff,omitempty"`
	VisitID    string        `json:"visit_id,omitempty"`
}

// SyncError is why a record was rejected: a service error code and the fields at fault.
type SyncError struct {
	Code   string            `json:"code"`
	Fields map[string]string `json:"fields,omitempty"`
}

// SyncDecision is the household's decision after a sign-off or withdrawal record.
type SyncDecision struct {
	Decision   string    `json:"decision"`
	Version    int       `json:"version"`
	RecordedAt time.Time `json:"recorded_at"`
}

// SyncReport is the outcome of an offline batch, one result per record in
// the order they were sent.
type SyncReport struct {
	RoundID                       string
	Results                       []SyncResult
	Applied, Duplicates, Rejected int
}

// SyncRecords applies a batch of records made offline. Each record is
// checked by the rules of the single endpoints (checkSignOffTarget, then
// applyDecision's or insertVisit's) and gets its own result: one bad record
// does not stop the others. A chunk of records is written as one batch
// (sync_batch.go). Records are applied in the order of their device
// time, so for one household the later decision wins and both are in the
// history; a record older than the household's current decision is kept in
// the history (request id "sync-superseded:<client_id>") without changing it.
// Applied records are remembered per caller and client id: sent again, they
// are answered "duplicate" with their first result. Rejected records are not
// remembered, so they can be sent again once the reason is gone.
// Errors (for the whole batch): validation_failed (records), round_not_found.
func (s *Service) SyncRecords(ctx context.Context, actor Actor, roundID string, records []SyncRecordInput) (*SyncReport, error) {
	if len(records) == 0 || len(records) > MaxSyncRecords {
		return nil, InvalidField("records", "1 to 1000 records")
	}
	var round model.Round
	if err := s.loadRoundFor(s.read(ctx), actor, roundID, ActRecordSignOffs, &round); err != nil {
		return nil, AsError(err)
	}
	report := &SyncReport{RoundID: roundID, Results: make([]SyncResult, len(records))}
	now := s.Now()
	firstOf := map[string]int{}
	var pending []int
	for i := range records {
		rec := &records[i]
		report.Results[i] = SyncResult{ClientID: rec.ClientID, Type: rec.Type, HouseholdID: rec.HouseholdID}
		if err := rec.validate(now, round.OpenedAt); err != nil {
			report.Results[i].reject(err)
			continue
		}
		report.Results[i].ClientID = rec.ClientID
		if _, repeated := firstOf[rec.ClientID]; repeated {
			continue // answered below with the first one's result
		}
		firstOf[rec.ClientID] = i
		pending = append(pending, i)
	}
	sort.SliceStable(pending, func(a, b int) bool { return records[pending[a]].RecordedAt.Before(records[pending[b]].RecordedAt) })
	for start := 0; start < len(pending); start += syncChunkSize {
		chunk := pending[start:min(start+syncChunkSize, len(pending))]
		if err := s.syncChunkOrEach(ctx, actor, roundID, records, chunk, report.Results); err != nil {
			return nil, err
		}
	}
	for i, rec := range records {
		if first, ok := firstOf[rec.ClientID]; ok && first != i && report.Results[i].Error == nil {
			report.Results[i] = report.Results[first] // a rejected first one is not remembered: rejected again
			if report.Results[i].Status != SyncRejected {
				report.Results[i] = report.Results[i].asDuplicate()
			}
		}
		switch report.Results[i].Status {
		case SyncApplied:
			report.Applied++
		case SyncDuplicate:
			report.Duplicates++
		default:
			report.Rejected++
		}
	}
	return report, nil
}

// validate checks a record before anything is read: its id, type, device
// time and the fields of its type. It canonicalises the client id.
func (rec *SyncRecordInput) validate(now time.Time, openedAt *time.Time) error {
	fields := map[string]string{}
	if id, err := uuid.Parse(rec.ClientID); err != nil {
		fields["client_id"] = "must be a UUID"
	} else {
		rec.ClientID = id.String()
	}
	rec.HouseholdID = strings.TrimSpace(rec.HouseholdID)
	if rec.HouseholdID == "" || len(rec.HouseholdID) > 36 {
		fields["household_id"] = "is required"
	}
	switch {
	case rec.RecordedAt.IsZero():
		fields["recorded_at"] = "is required: an RFC 3339 time such as 2026-12-01T18:00:00+08:00"
	case rec.RecordedAt.After(now.Add(maxDeviceClockSkew)):
		fields["recorded_at"] = "is in the future: check the phone's clock"
	case openedAt != nil && rec.RecordedAt.Before(*openedAt):
		fields["recorded_at"] = "is before the round opened"
	}
	if rec.RecordedAt.After(now) {
		rec.RecordedAt = now
	}
	rec.RecordedAt = rec.RecordedAt.UTC().Truncate(time.Millisecond) // as MySQL keeps it
	switch rec.Type {
	case SyncSignOff:
		if err := rec.SignOff.validate(false); err != nil {
			mergeFields(fields, err)
		}
		if rec.SignOff.Channel == ChannelSync {
			fields["channel"] = "must be paper, door or proxy"
		}
	case SyncWithdraw:
		if rec.SignOff.Channel == "" {
			rec.SignOff.Channel = ChannelSync
		} else if !staffChannels[rec.SignOff.Channel] {
			fields["channel"] = "must be paper, door or proxy"
		}
	case SyncVisit:
		rec.Visit.HouseholdID = rec.HouseholdID
		if err := rec.Visit.validate(); err != nil {
			mergeFields(fields, err)
		}
	default:
		fields["type"] = "must be signoff, withdraw or visit"
	}
	if len(fields) > 0 {
		return Invalid("validation_failed", fields)
	}
	return nil
}

func mergeFields(fields map[string]string, err error) {
	for k, v := range AsError(err).Fields {
		fields[k] = v
	}
}

func (r *SyncResult) reject(err error) {
	se := AsError(err)
	r.Status, r.Error = SyncRejected, &SyncError{Code: se.Code, Fields: se.Fields}
	if se.Kind == KindInternal {
		r.Error.Fields = nil
	}
}

func (r SyncResult) asDuplicate() SyncResult {
	r.FirstStatus, r.Status = r.Status, SyncDuplicate
	return r
}

// syncChunkOrEach applies a chunk of records in one transaction; when that
// transaction fails for a reason other than a record's own (a database
// error), it applies the chunk's records one transaction each, so that a
// single bad record is rejected alone. An unavailable database stops the batch.
func (s *Service) syncChunkOrEach(ctx context.Context, actor Actor, roundID string, records []SyncRecordInput, chunk []int, results []SyncResult) error {
	err := s.syncChunk(ctx, actor, roundID, records, chunk, results)
	if err == nil {
		return nil
	}
	if se := AsError(err); se.Kind == KindUnavailable || len(chunk) == 1 {
		if se.Kind == KindUnavailable {
			return se
		}
		results[chunk[0]].reject(se)
		return nil
	}
	for _, i := range chunk {
		if err := s.syncChunkOrEach(ctx, actor, roundID, records, []int{i}, results); err != nil {
			return err
		}
	}
	return nil
}

// syncRecordOf is the row that remembers an applied record's result.
func (s *Service) syncRecordOf(caller string, actor Actor, roundID string, rec *SyncRecordInput, result SyncResult) (model.SyncRecord, error) {
	raw, err := json.Marshal(result)
	if err != nil {
		return model.SyncRecord{}, err
	}
	return model.SyncRecord{Caller: caller, ClientID: rec.ClientID, RoundID: roundID, HouseholdID: rec.HouseholdID,
		Type: rec.Type, DeviceRecordedAt: rec.RecordedAt, RequestID: actor.RequestID, ResultJSON: string(raw),
		CreatedAt: s.Now()}, nil
}

// rememberedResults reads the first results of the chunk's records that
// were applied before.
func (s *Service) rememberedResults(tx *store.Tx, caller string, records []SyncRecordInput, chunk []int) (map[string]SyncResult, error) {
	ids := make([]string, len(chunk))
	for k, i := range chunk {
		ids[k] = records[i].ClientID
	}
	rows, err := tx.SyncRecordsOf(caller, ids)
	if err != nil {
		return nil, err
	}
	remembered := make(map[string]SyncResult, len(rows))
	for _, row := range rows {
		var first SyncResult
		if err := json.Unmarshal([]byte(row.ResultJSON), &first); err != nil {
			return nil, err
		}
		remembered[row.ClientID] = first
	}
	return remembered, nil
}
