package service

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
)

// residentActor logs a resident in and returns them as an actor.
func residentActor(t *testing.T, svc *Service, openid string) Actor {
	t.Helper()
	tokens, err := svc.LoginResident(context.Background(), ResidentIdentity{OpenID: openid})
	if err != nil {
		t.Fatal(err)
	}
	return Actor{Kind: ActorResident, ID: tokens.ResidentID, Role: RoleResident, Channel: ChannelOnline}
}

func errorCode(err error) string {
	if err == nil {
		return ""
	}
	return AsError(err).Code
}

// TestBindingCodeRace: residents racing to redeem one code, only one wins.
func TestBindingCodeRace(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		f := newFixture(t, db, 3, 1, "")
		ctx := context.Background()
		issued, err := f.svc.IssueBindingCode(ctx, f.worker, f.estateID, f.households[0])
		if err != nil {
			t.Fatal(err)
		}
		const racers = MaxBindingFailuresPerCode // more racers on one code would hit its limit
		actors := make([]Actor, racers)
		for i := range actors {
			actors[i] = residentActor(t, f.svc, fmt.Sprintf("o-racer-%d", i))
		}
		codes := make([]string, racers)
		var wg sync.WaitGroup
		for i := range actors {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := f.svc.RedeemBindingCode(ctx, actors[i], issued.Code, "")
				codes[i] = errorCode(err)
			}()
		}
		wg.Wait()
		won, used := 0, 0
		for _, c := range codes {
			switch c {
			case "":
				won++
			case "binding_code_invalid": // a used code is answered like an unknown one
				used++
			default:
				t.Errorf("unexpected outcome %q", c)
			}
		}
		var bindings int64
		db.Gorm.Model(&model.ResidentBinding{}).Where("household_id = ?", f.households[0]).Count(&bindings)
		if won != 1 || used != racers-1 || bindings != 1 {
			t.Fatalf("%d won, %d found the code used, %d bindings; want 1, %d, 1", won, used, bindings, racers-1)
		}
	})
}

// TestBindingFailureLimitUnderConcurrency: a resident firing many wrong codes
// at once gets exactly MaxBindingFailures wrong-code answers, the rest 429.
func TestBindingFailureLimitUnderConcurrency(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		svc := newService(db)
		guesser := residentActor(t, svc, "o-guesser")
		const tries = 25
		codes := make([]string, tries)
		var wg sync.WaitGroup
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := svc.RedeemBindingCode(context.Background(), guesser, fmt.Sprintf("ZZZZZZ%02d", i), "")
				codes[i] = errorCode(err)
			}()
		}
		wg.Wait()
		count := map[string]int{}
		for _, c := range codes {
			count[c]++
		}
		if count["binding_code_invalid"] != MaxBindingFailures || count["too_many_binding_attempts"] != tries-MaxBindingFailures {
			t.Fatalf("outcomes %v; want %d binding_code_invalid and the rest too_many_binding_attempts", count, MaxBindingFailures)
		}
	})
}

// TestOnlineAndPaperSignOffRace: a worker's paper sign-off and the
// resident's online one for the same household at once leave one decision,
// two history entries and counters that match a recount.
func TestOnlineAndPaperSignOffRace(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		f := newFixture(t, db, 4, 1, "")
		ctx := context.Background()
		resident := residentActor(t, f.svc, "o-racer")
		issued, err := f.svc.IssueBindingCode(ctx, f.worker, f.estateID, f.households[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.RedeemBindingCode(ctx, resident, issued.Code, ""); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, errs[0] = f.svc.RecordMySignOff(ctx, resident, f.roundID, MySignOffInput{Decision: DecisionAgree})
		}()
		go func() {
			defer wg.Done()
			_, errs[1] = f.svc.RecordSignOff(ctx, f.worker, f.roundID, f.households[0],
				SignOffInput{Decision: DecisionDisagree, Channel: ChannelPaper, SignerName: "张三"})
		}()
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		var events int64
		db.Gorm.Model(&model.SignOffEvent{}).Where("round_id = ? AND household_id = ?", f.roundID, f.households[0]).Count(&events)
		if events != 2 {
			t.Fatalf("%d history entries, want 2", events)
		}
		tally := f.tally(t) // fails when the counters disagree with a recount
		if tally.Participated.Households != 1 {
			t.Fatalf("participated %d, want 1", tally.Participated.Households)
		}
	})
}
