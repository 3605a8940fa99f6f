package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"sync"
	"time"
)

// householdChunk is the number of households sent per request while seeding
// (the API accepts up to 5,000).
const householdChunk = 2000

// world is what the seeding created on the server: one estate with its
// households, an open round, a worker and a designer assigned to it.
type world struct {
	client     *client
	suffix     string
	admin      string
	estateID   string
	estateCode string
	roundID    string
	households []string // ids, in roster order
	worker     string   // tokens
	designer   string
}

// newSuffix is a short random tag, so seeded names never collide with an
// earlier run against the same server.
func newSuffix() string {
	buf := make([]byte, 4)
	rand.Read(buf)
	return hex.EncodeToString(buf)
}

// newUUID is a random (version 4) UUID, as a device makes its client ids.
func newUUID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// seedWorld logs in as admin and creates an estate of n households, a
// worker and a designer assigned to it and, when open is set, an open round.
func seedWorld(ctx context.Context, o *options, c *client, n int, open bool, progress io.Writer) (*world, error) {
	admin, err := c.login(ctx, o.AdminUser, o.AdminPassword)
	if err != nil {
		return nil, err
	}
	w := &world{client: c, suffix: newSuffix(), admin: admin}
	start := time.Now()
	var estate struct {
		ID   string `json:"id"`
		Code string `json:"code"`
	}
	if err := c.call(ctx, "POST", "/api/v1/estates", admin, map[string]any{
		"name": "压测小区 " + w.suffix, "code": "bench-" + w.suffix, "district": "压测区", "built_year": 1995,
	}, &estate); err != nil {
		return nil, err
	}
	w.estateID, w.estateCode = estate.ID, estate.Code
	if w.worker, err = w.staff(ctx, "worker"); err != nil {
		return nil, err
	}
	if w.designer, err = w.staff(ctx, "designer"); err != nil {
		return nil, err
	}
	if err := w.addHouseholds(ctx, n, progress); err != nil {
		return nil, err
	}
	if open {
		if err := w.openRound(ctx); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(progress, "  seeded estate %s: %d households, round %s, in %s\n",
		w.estateCode, len(w.households), w.roundID, time.Since(start).Round(time.Millisecond))
	return w, nil
}

// staff creates a staff account with the role, assigns it to the estate and logs it in.
func (w *world) staff(ctx context.Context, role string) (string, error) {
	username := "bench-" + role + "-" + w.suffix
	password := "bench-password-" + w.suffix
	var user struct {
		ID string `json:"id"`
	}
	if err := w.client.call(ctx, "POST", "/api/v1/users", w.admin, map[string]string{
		"username": username, "password": password, "display_name": "压测" + role, "role": role,
	}, &user); err != nil {
		return "", err
	}
	if err := w.client.call(ctx, "PUT", "/api/v1/estates/"+w.estateID+"/staff/"+user.ID, w.admin,
		map[string]string{"role": role}, nil); err != nil {
		return "", err
	}
	return w.client.login(ctx, username, password)
}

// addHouseholds creates n households in chunks: buildings of 120 (3 units
// of 40: 10 floors of 4 rooms), with names, phones and areas like a real roster.
func (w *world) addHouseholds(ctx context.Context, n int, progress io.Writer) error {
	for first := 0; first < n; first += householdChunk {
		last := min(first+householdChunk, n)
		items := make([]map[string]any, 0, last-first)
		for i := first; i < last; i++ {
			inBuilding := i % 120
			items = append(items, map[string]any{
				"building":   fmt.Sprint(1 + i/120),
				"unit":       fmt.Sprint(1 + inBuilding/40),
				"room":       fmt.Sprintf("%d%02d", 1+(inBuilding%40)/4, 1+inBuilding%4),
				"area_m2":    55 + float64(i%60) + 0.25*float64(i%4),
				"owner_name": fmt.Sprintf("业主%d", i),
				"phone":      fmt.Sprintf("139%08d", i),
				"occupancy":  "owner",
			})
		}
		var created struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		if err := w.client.call(ctx, "POST", "/api/v1/estates/"+w.estateID+"/households", w.admin,
			map[string]any{"items": items}, &created); err != nil {
			return err
		}
		for _, h := range created.Items {
			w.households = append(w.households, h.ID)
		}
		if n > 10*householdChunk && last%(10*householdChunk) == 0 {
			fmt.Fprintf(progress, "  ... %d households\n", last)
		}
	}
	return nil
}

// openRound creates a willingness round under the two-80 rule and opens it.
func (w *world) openRound(ctx context.Context) error {
	var round struct {
		ID string `json:"id"`
	}
	if err := w.client.call(ctx, "POST", "/api/v1/estates/"+w.estateID+"/rounds", w.admin,
		map[string]any{"title": "改造意愿征询 " + w.suffix, "kind": "willingness"}, &round); err != nil {
		return err
	}
	w.roundID = round.ID
	return w.client.call(ctx, "POST", "/api/v1/rounds/"+round.ID+"/open", w.admin, nil, nil)
}

// resident is a resident bound to one household, with their token.
type resident struct {
	token       string
	householdID string
}

// bindResidents has the worker issue a binding code for each of the first
// n households, and a resident (development login) redeem it, with 16
// requests in flight.
func (w *world) bindResidents(ctx context.Context, n int) ([]resident, error) {
	residents := make([]resident, n)
	errs := make(chan error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				token, err := w.bindOne(ctx, i)
				if err != nil {
					errs <- err
					continue
				}
				residents[i] = resident{token: token, householdID: w.households[i]}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	return residents, nil
}

func (w *world) bindOne(ctx context.Context, i int) (string, error) {
	var code struct {
		Code string `json:"code"`
	}
	path := "/api/v1/estates/" + w.estateID + "/households/" + w.households[i] + "/binding-codes"
	if err := w.client.call(ctx, "POST", path, w.worker, nil, &code); err != nil {
		return "", err
	}
	token, err := w.client.residentLogin(ctx, fmt.Sprintf("bench-%s-%d", w.suffix, i))
	if err != nil {
		return "", err
	}
	if err := w.client.call(ctx, "POST", "/api/v1/me/bindings", token, map[string]string{"code": code.Code}, nil); err != nil {
		return "", err
	}
	return token, nil
}
