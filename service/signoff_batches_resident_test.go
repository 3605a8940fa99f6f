package service

import (
	"context"
	"fmt"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
)

// TestResidentSignOffsReadInBulk commits one batch of residents' sign-offs
// whose households are found by the batch's bulk reads, with one of each of
// the refusals of resolveMySigningHousehold among them: every request gets
// its own answer (the same code the one-request path gives), the batch is
// not split, and the counters, chains and history agree.
func TestResidentSignOffsReadInBulk(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		f := newBatchFixture(t, db, 10)
		bind := func(actor Actor, household int, relation string) {
			t.Helper()
			issued, err := f.svc.IssueBindingCode(ctx, f.worker, f.estateID, f.households[household])
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.RedeemBindingCode(ctx, actor, issued.Code, relation); err != nil {
				t.Fatal(err)
			}
		}
		resident := func(name string) Actor {
			return residentActor(t, f.svc, fmt.Sprintf("o-bulk-%s-%s", name, f.estateID[:8]))
		}
		owner, twoHomes, tenant, stranger := resident("owner"), resident("two"), resident("tenant"), resident("stranger")
		bind(owner, 0, "")
		bind(tenant, 0, RelationTenant) // bound, but the owner is the signer
		bind(twoHomes, 1, "")
		bind(twoHomes, 2, "")
		residentRequest := func(actor Actor, household, decision string) *signOffRequest {
			return &signOffRequest{ctx: ctx, actor: actor,
				resident: &residentSignOff{roundID: f.roundID, householdID: household, in: SignOffInput{Decision: decision, Channel: ChannelOnline}},
				alone: func(context.Context) (model.SignOff, error) {
					t.Error("a request of the batch ran alone: the batch was split")
					return model.SignOff{}, nil
				}}
		}
		staff := f.svc.staffSignOffRequest(ctx, f.worker, f.roundID, f.households[5],
			SignOffInput{Decision: DecisionAgree, Channel: ChannelPaper, SignerName: "户主"})
		batch := []*signOffRequest{
			residentRequest(owner, "", DecisionAgree),
			residentRequest(owner, f.households[3], DecisionAgree), // not theirs
			residentRequest(twoHomes, "", DecisionAgree),           // which one?
			residentRequest(tenant, "", DecisionAgree),
			residentRequest(stranger, "", DecisionAgree),
			residentRequest(twoHomes, f.households[2], DecisionDisagree),
			staff,
			residentRequest(owner, f.households[0], DecisionAbstain), // the owner changes their mind in the same batch
		}
		f.svc.runSignOffBatch(batch)
		want := []struct {
			code, household, decision string
			version                   int
		}{
			{"", f.households[0], DecisionAgree, 1},
			{"household_not_found", "", "", 0},
			{"household_required", "", "", 0},
			{"not_household_signer", "", "", 0},
			{"round_not_found", "", "", 0},
			{"", f.households[2], DecisionDisagree, 1},
			{"", f.households[5], DecisionAgree, 1},
			{"", f.households[0], DecisionAbstain, 2},
		}
		for i, w := range want {
			r := batch[i]
			if got := codeOf(r.err); got != w.code {
				t.Errorf("request %d: error %v, want %q", i, r.err, w.code)
				continue
			}
			if w.code == "" && (r.result.HouseholdID != w.household || r.result.Decision != w.decision || r.result.Version != w.version) {
				t.Errorf("request %d answered %s v%d for %s, want %s v%d for %s", i, r.result.Decision, r.result.Version,
					r.result.HouseholdID, w.decision, w.version, w.household)
			}
		}
		// The one-request path refuses the same requests with the same codes.
		for i, in := range []struct {
			actor     Actor
			household string
		}{{owner, f.households[3]}, {twoHomes, ""}, {tenant, ""}, {stranger, ""}} {
			_, err := f.svc.RecordMySignOff(ctx, in.actor, f.roundID, MySignOffInput{HouseholdID: in.household, Decision: DecisionAgree})
			if got := codeOf(err); got != want[i+1].code {
				t.Errorf("alone, request %d: error %v, want %q", i+1, err, want[i+1].code)
			}
		}
		if stats := f.svc.SignOffBatchStats(); stats.Batches != 1 || stats.Requests != int64(len(batch)) {
			t.Fatalf("batch stats %+v, want one batch of %d", stats, len(batch))
		}
		tally := f.tally(t)
		if tally.Decisions[DecisionAgree].Households != 1 || tally.Decisions[DecisionDisagree].Households != 1 ||
			tally.Decisions[DecisionAbstain].Households != 1 {
			t.Errorf("tally %+v, want one agree (staff), one disagree, one abstain", tally.Decisions)
		}
		f.check(t, db, 4)
	})
}
