package service

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"testing"
	"time"

	"minyi/model"
	"minyi/model/testdb"
)

// bindAs issues a code for household i and redeems it for the resident with a relation.
func (f *fixture) bindAs(t *testing.T, resident Actor, i int, relation string) *BoundHousehold {
	t.Helper()
	ctx := context.Background()
	issued, err := f.svc.IssueBindingCode(ctx, f.worker, f.estateID, f.households[i])
	if err != nil {
		t.Fatal(err)
	}
	bound, err := f.svc.RedeemBindingCode(ctx, resident, issued.Code, relation)
	if err != nil {
		t.Fatalf("bind %d as %q: %v", i, relation, err)
	}
	return bound
}

// signerOf reads who is the designated signer of household i ("" for none).
func (f *fixture) signerOf(t *testing.T, i int) string {
	t.Helper()
	rows, err := f.svc.ListHouseholdResidents(context.Background(), f.worker, f.households[i])
	if err != nil {
		t.Fatal(err)
	}
	signer := ""
	for _, r := range rows {
		if r.IsSigner {
			if signer != "" {
				t.Fatalf("household %d has two signers: %+v", i, rows)
			}
			signer = r.Resident.ID
		}
	}
	return signer
}

// TestOnlyTheDesignatedSignerSigns: two residents bound to one household
// no longer sign opposite ways (the second used to overwrite the first), a
// tenant does not sign for a rented flat, and a worker can hand the
// signature to another bound resident. Fails on the old code: every bound
// resident could sign.
func TestOnlyTheDesignatedSignerSigns(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		f := newFixture(t, db, 4, 1, "")
		ctx := context.Background()
		owner, spouse, tenant := residentActor(t, f.svc, "o-owner"), residentActor(t, f.svc, "o-spouse"), residentActor(t, f.svc, "o-tenant")

		if b := f.bindAs(t, owner, 0, ""); b.Relation != RelationOwner || !b.IsSigner {
			t.Fatalf("the first owner's binding = %+v, want owner and signer", b)
		}
		if b := f.bindAs(t, spouse, 0, RelationCoOwner); b.Relation != RelationCoOwner || b.IsSigner {
			t.Fatalf("the second binding = %+v, want co_owner and not signer", b)
		}
		if b := f.bindAs(t, tenant, 1, RelationTenant); b.IsSigner {
			t.Fatalf("a tenant became the signer: %+v", b)
		}

		if _, err := f.svc.RecordMySignOff(ctx, owner, f.roundID, MySignOffInput{Decision: DecisionAgree}); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.RecordMySignOff(ctx, spouse, f.roundID, MySignOffInput{Decision: DecisionDisagree})
		if errorCode(err) != "not_household_signer" || AsError(err).Kind != KindForbidden {
			t.Fatalf("the co-owner's sign-off: %v, want 403 not_household_signer", err)
		}
		if err := f.svc.WithdrawMySignOff(ctx, spouse, f.roundID, ""); errorCode(err) != "not_household_signer" {
			t.Fatalf("the co-owner's withdrawal: %v, want not_household_signer", err)
		}
		if _, err := f.svc.RecordMySignOff(ctx, tenant, f.roundID, MySignOffInput{Decision: DecisionAgree}); errorCode(err) != "not_household_signer" {
			t.Fatalf("the tenant's sign-off: %v, want not_household_signer", err)
		}
		tally := f.tally(t)
		if tally.Decisions[DecisionAgree].Households != 1 || tally.Decisions[DecisionDisagree].Households != 0 || tally.Participated.Households != 1 {
			t.Fatalf("the refused sign-offs changed the tally: %+v", tally.Decisions)
		}

		profile, err := f.svc.GetResidentProfile(ctx, spouse)
		if err != nil || len(profile.Households) != 1 || profile.Households[0].Relation != RelationCoOwner || profile.Households[0].IsSigner {
			t.Fatalf("the co-owner's profile: %+v %v", profile, err)
		}
		rounds, err := f.svc.MyRounds(ctx, spouse)
		if err != nil || len(rounds) != 1 || rounds[0].IsSigner {
			t.Fatalf("the co-owner's rounds: %+v %v", rounds, err)
		}

		// The household asks a worker: the co-owner signs from now on.
		if _, err := f.svc.SetHouseholdSigner(ctx, f.worker, f.households[0], spouse.ID); err != nil {
			t.Fatal(err)
		}
		if got := f.signerOf(t, 0); got != spouse.ID {
			t.Fatalf("signer = %s, want the co-owner", got)
		}
		if _, err := f.svc.RecordMySignOff(ctx, spouse, f.roundID, MySignOffInput{Decision: DecisionDisagree}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.RecordMySignOff(ctx, owner, f.roundID, MySignOffInput{Decision: DecisionAgree}); errorCode(err) != "not_household_signer" {
			t.Fatalf("the former signer: %v, want not_household_signer", err)
		}

		// Errors: a resident not bound to the household; another estate's worker.
		if _, err := f.svc.SetHouseholdSigner(ctx, f.worker, f.households[0], tenant.ID); errorCode(err) != "binding_not_found" {
			t.Fatalf("a signer not bound to the household: %v", err)
		}
		other := newFixture(t, db, 1, 1, "")
		if _, err := f.svc.SetHouseholdSigner(ctx, other.worker, f.households[0], owner.ID); errorCode(err) != "household_not_found" {
			t.Fatalf("another estate's worker: %v", err)
		}
		if _, err := f.svc.RedeemBindingCode(ctx, tenant, "ABCDEFGH", "landlord"); errorCode(err) != "validation_failed" || AsError(err).Fields["relation"] == "" {
			t.Fatalf("an unknown relation: %v", err)
		}

		// The signer leaves: the earliest remaining owner or co-owner takes over.
		if err := f.svc.UnbindResident(ctx, f.worker, f.households[0], spouse.ID); err != nil {
			t.Fatal(err)
		}
		if got := f.signerOf(t, 0); got != owner.ID {
			t.Fatalf("after the signer left, signer = %q, want the owner", got)
		}
		// A tenant is made the signer only by a worker (with the owner's authorisation).
		if _, err := f.svc.SetHouseholdSigner(ctx, f.worker, f.households[1], tenant.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.RecordMySignOff(ctx, tenant, f.roundID, MySignOffInput{Decision: DecisionAbstain}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestOwnersBindingAtOnceMakeOneSigner: owners of one household redeeming
// their codes at once leave exactly one signer.
func TestOwnersBindingAtOnceMakeOneSigner(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		f := newFixture(t, db, 1, 1, "")
		ctx := context.Background()
		const owners = 4
		codes := make([]string, owners)
		actors := make([]Actor, owners)
		for i := range codes {
			issued, err := f.svc.IssueBindingCode(ctx, f.worker, f.estateID, f.households[0])
			if err != nil {
				t.Fatal(err)
			}
			codes[i], actors[i] = issued.Code, residentActor(t, f.svc, "o-owner-"+issued.Code)
		}
		errs := make(chan error, owners)
		for i := range codes {
			go func() {
				_, err := f.svc.RedeemBindingCode(ctx, actors[i], codes[i], RelationOwner)
				errs <- err
			}()
		}
		for range codes {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if f.signerOf(t, 0) == "" {
			t.Fatal("no signer") // signerOf fails on two
		}
	})
}

// uploadLetter stores a small PNG as the actor's upload.
func uploadLetter(t *testing.T, svc *Service, actor Actor, estateID string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	u, err := svc.SaveUpload(context.Background(), actor, t.TempDir(), estateID, &buf)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// TestProxySignOffNeedsAuthorisation: a proxy sign-off without the
// principal's name and an authorisation letter uploaded by staff of the
// estate is refused, directly and through sync, and changes nothing. Fails
// on the old code: a proxy "agree" with any name was counted.
func TestProxySignOffNeedsAuthorisation(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		f := newFixture(t, db, 3, 1, "")
		other := newFixture(t, db, 1, 1, "")
		ctx := context.Background()
		resident := residentActor(t, f.svc, "o-proxy")
		f.bindAs(t, resident, 2, "")
		letter := uploadLetter(t, f.svc, f.worker, "")
		byResident := uploadLetter(t, f.svc, resident, "")
		byStranger := uploadLetter(t, f.svc, other.worker, "")

		proxy := func(principal, upload string) SignOffInput {
			return SignOffInput{Decision: DecisionAgree, Channel: ChannelProxy, SignerName: "王五之子", PrincipalName: principal, EvidenceUploadID: upload}
		}
		for _, tc := range []struct {
			name   string
			in     SignOffInput
			fields []string
		}{
			{"nothing", proxy("", ""), []string{"principal_name", "evidence_upload_id"}},
			{"no letter", proxy("王五", ""), []string{"evidence_upload_id"}},
			{"no principal", proxy(" ", letter), []string{"principal_name"}},
			{"no such upload", proxy("王五", "no-such-upload"), []string{"evidence_upload_id"}},
			{"uploaded by a resident", proxy("王五", byResident), []string{"evidence_upload_id"}},
			{"uploaded by another estate's worker", proxy("王五", byStranger), []string{"evidence_upload_id"}},
		} {
			_, err := f.svc.RecordSignOff(ctx, f.worker, f.roundID, f.households[0], tc.in)
			e := AsError(err)
			if err == nil || e.Kind != KindInvalid || len(e.Fields) != len(tc.fields) {
				t.Fatalf("%s: %v %v, want 422 on %v", tc.name, err, e.Fields, tc.fields)
			}
			for _, field := range tc.fields {
				if e.Fields[field] == "" {
					t.Fatalf("%s: fields %v lack %s", tc.name, e.Fields, field)
				}
			}
		}

		// Through sync: the incomplete record is rejected with the same fields.
		report, err := f.svc.SyncRecords(ctx, f.worker, f.roundID, []SyncRecordInput{{
			ClientID: newID(), Type: SyncSignOff, HouseholdID: f.households[1], RecordedAt: time.Now().UTC(),
			SignOff: proxy("王五", "")}, {
			ClientID: newID(), Type: SyncSignOff, HouseholdID: f.households[1], RecordedAt: time.Now().UTC(),
			SignOff: proxy("王五", byResident)}})
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range report.Results {
			if r.Status != SyncRejected || r.Error == nil || r.Error.Fields["evidence_upload_id"] == "" {
				t.Fatalf("sync result %d = %+v, want rejected on evidence_upload_id", i, r)
			}
		}
		if tally := f.tally(t); tally.Participated.Households != 0 {
			t.Fatalf("refused proxy sign-offs were counted: %+v", tally.Decisions)
		}

		// With both, the sign-off is recorded with its principal and letter.
		so, err := f.svc.RecordSignOff(ctx, f.worker, f.roundID, f.households[0], proxy("王五", letter))
		if err != nil {
			t.Fatal(err)
		}
		if so.PrincipalName != "王五" || so.EvidenceUploadID != letter || so.EvidenceURL != "/api/v1/uploads/"+letter {
			t.Fatalf("proxy sign-off = %+v", so)
		}
		var stored model.SignOff
		if err := db.Gorm.Where("id = ?", so.ID).Take(&stored).Error; err != nil || stored.PrincipalName != "王五" || stored.EvidenceUploadID != letter {
			t.Fatalf("stored proxy sign-off = %+v %v", stored, err)
		}
		// Paper sign-offs need neither (and keep none).
		paper, err := f.svc.RecordSignOff(ctx, f.worker, f.roundID, f.households[1],
			SignOffInput{Decision: DecisionAgree, Channel: ChannelPaper, SignerName: "李四", PrincipalName: "x", EvidenceUploadID: letter})
		if err != nil || paper.PrincipalName != "" || paper.EvidenceUploadID != "" {
			t.Fatalf("paper sign-off = %+v %v", paper, err)
		}
	})
}
