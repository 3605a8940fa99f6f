package service

import (
	"context"
	"fmt"
	"sort"

	"minyi/model"
)

// AuditBreak names the first event of a chain that does not verify, and why.
type AuditBreak struct {
	ChainID string
	EventID string // "" when the break is in the chain's head row
	Seq     int64
	Reason  string
}

// AuditReport is the outcome of recomputing hash chains.
type AuditReport struct {
	Chains int
	Events int
	Broken []AuditBreak
}

// verifyPageSize is how many events verification reads per query.
const verifyPageSize = 1000

// VerifyAudit recomputes the hash chains of one estate (by code) or, with
// an empty code, of every estate and the global chains, and reports the
// first broken event of each chain: an altered event (its hash no longer
// matches its content), a missing one (a gap in the sequence or a
// previous-hash link that does not match), or a head row that does not match
// the last event (events removed at the end). Errors: estate_not_found.
func (s *Service) VerifyAudit(ctx context.Context, estateCode string) (*AuditReport, error) {
	tx := s.read(ctx)
	chains := map[string]*model.AuditChain{}
	estateID := "" // every estate and the global chains
	if estateCode != "" {
		estate, err := tx.EstateByCode(estateCode)
		if err != nil {
			return nil, AsError(notFoundAs(err, "estate_not_found"))
		}
		estateID = estate.ID
	}
	heads, err := tx.AuditChainHeadsOf(estateID)
	if err != nil {
		return nil, AsError(err)
	}
	for i := range heads {
		chains[heads[i].ChainID] = &heads[i]
	}
	eventChains, err := tx.AuditEventChainIDs(estateID)
	if err != nil {
		return nil, AsError(err)
	}
	for _, id := range eventChains {
		if _, ok := chains[id]; !ok {
			chains[id] = nil
		}
	}
	ids := make([]string, 0, len(chains))
	for id := range chains {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	report := &AuditReport{Chains: len(ids)}
	for _, id := range ids {
		n, broken, err := s.verifyChain(ctx, id, chains[id])
		if err != nil {
			return nil, AsError(err)
		}
		report.Events += n
		if broken != nil {
			report.Broken = append(report.Broken, *broken)
		}
	}
	return report, nil
}

// verifyChain walks one chain in sequence order and returns the number of
// events read and its first break, if any.
func (s *Service) verifyChain(ctx context.Context, chainID string, head *model.AuditChain) (int, *AuditBreak, error) {
	tx := s.read(ctx)
	prevHash, expected, count := auditGenesis, int64(1), 0
	for {
		events, err := tx.AuditEventsFrom(chainID, expected, verifyPageSize)
		if err != nil {
			return count, nil, err
		}
		for i := range events {
			e := &events[i]
			count++
			broken := func(reason string) (int, *AuditBreak, error) {
				return count, &AuditBreak{ChainID: chainID, EventID: e.ID, Seq: e.Seq, Reason: reason}, nil
			}
			switch {
			case e.Seq != expected:
				return broken(fmt.Sprintf("sequence number %d where %d was expected: events are missing before it", e.Seq, expected))
			case e.PrevHash != prevHash:
				return broken("its previous hash does not match the hash of the event before it")
			case e.ChainID != auditChainID(e.EstateID, e.ObjectID):
				return broken("it belongs to another chain: its estate or object was altered")
			case chainHash(e.PrevHash, canonicalAuditEvent(e)) != e.Hash:
				return broken("its content does not match its hash: the event was altered")
			}
			prevHash, expected = e.Hash, e.Seq+1
		}
		if len(events) < verifyPageSize {
			break
		}
	}
	last := expected - 1
	switch {
	case head == nil:
		return count, &AuditBreak{ChainID: chainID, Seq: last, Reason: "the chain has no head row: it was deleted"}, nil
	case head.Seq != last || head.HeadHash != prevHash:
		return count, &AuditBreak{ChainID: chainID, Seq: head.Seq,
			Reason: fmt.Sprintf("the head says %d events but %d verify: events were removed at the end or the head was altered", head.Seq, last)}, nil
	}
	return count, nil, nil
}
