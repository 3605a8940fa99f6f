package service

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"sort"
	"strconv"
	"strings"

	"minyi/model"
	"minyi/store"
)

// Household receipts let a household check that its decision was counted as
// cast without anyone learning how others decided (the idea of Helios'
// ballot tracking centre, without cryptographic voting):
//
//	nonce   = HMAC-SHA256(receiptKey, "nonce" | round_id | household_id | version)
//	receipt = SHA-256("minyi-receipt-v1" | round_id | household_id | decision | version | hex(nonce))
//
// (fields separated by a zero byte), shown as the first 80 bits in base32,
// "ABCD-EFGH-IJKL-MNOP". receiptKey comes from MINYI_RECEIPT_KEY or the JWT secret. The
// nonce is secret, so a receipt reveals nothing by itself: without it, one
// could try the three decisions. Receipts are computed, not stored, so they
// need no schema and cannot drift from the sign-off rows.

// receiptKey derives the key of receipts' nonces from MINYI_RECEIPT_KEY or,
// without it, from the JWT secret (then rotating that secret changes every
// receipt: set MINYI_RECEIPT_KEY to rotate the JWT secret during a round).
func (s *Service) receiptKey() []byte {
	secret := s.cfg.ReceiptKey
	if len(secret) == 0 {
		secret = s.cfg.JWTSecret
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("minyi receipt key v1"))
	return mac.Sum(nil)
}

// Receipt is the receipt of a sign-off's current decision, or "" for a
// withdrawn one.
func (s *Service) Receipt(so *model.SignOff) string {
	if !counted(so.Decision) {
		return ""
	}
	return receiptFor(s.receiptKey(), so.RoundID, so.HouseholdID, so.Decision, so.Version)
}

func receiptFor(key []byte, roundID, householdID, decision string, version int) string {
	v := strconv.Itoa(version)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(strings.Join([]string{"nonce", roundID, householdID, v}, "\x00")))
	nonce := hex.EncodeToString(mac.Sum(nil))
	sum := sha256.Sum256([]byte(strings.Join([]string{"minyi-receipt-v1", roundID, householdID, decision, v, nonce}, "\x00")))
	code := base32.StdEncoding.EncodeToString(sum[:10])
	return code[0:4] + "-" + code[4:8] + "-" + code[8:12] + "-" + code[12:16]
}

// CountedReceipts is, for a closed round, the receipts of the decisions
// that were counted, in one sorted list: sorted, so their order says nothing
// of who signed when; one list, not one per decision, so that a receipt
// shown to someone else does not prove how the household decided (a receipt
// commits to its decision, so finding it in the list proves the decision it
// was issued for was counted, without saying which).
type CountedReceipts struct {
	RoundID  string
	Receipts []string
}

// CountedReceipts lists the receipts of a closed round's counted decisions,
// for the public notice board. Errors: round_not_found, round_not_closed.
func (s *Service) CountedReceipts(ctx context.Context, roundID string) (*CountedReceipts, error) {
	tx := s.read(ctx)
	round, err := tx.ReceiptRound(roundID)
	if err != nil {
		return nil, AsError(notFoundAs(err, "round_not_found"))
	}
	if !RoundEnded(round.Status) {
		return nil, Conflict("round_not_closed", "receipts are published when the round closes")
	}
	receipts, err := s.countedReceipts(tx, roundID)
	if err != nil {
		return nil, AsError(err)
	}
	return &CountedReceipts{RoundID: roundID, Receipts: receipts}, nil
}

// countedReceipts computes the receipts of a round's counted decisions, sorted.
func (s *Service) countedReceipts(tx *store.Tx, roundID string) ([]string, error) {
	rows, err := tx.SignOffsForReceipts(roundID, decisions)
	if err != nil {
		return nil, err
	}
	key := s.receiptKey()
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		out = append(out, receiptFor(key, r.RoundID, r.HouseholdID, r.Decision, r.Version))
	}
	sort.Strings(out)
	return out, nil
}
