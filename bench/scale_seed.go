package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"minyi/model"
	"minyi/model/fieldcrypt"
)

// The scale seed fills one database with many estates quickly. What the
// service must decide or check (estates, staff accounts and assignments,
// rounds, opening a round with its frozen electorate and tally counters,
// closing a round with its result) goes through the HTTP API of the running
// server; the bulk rows (households, sign-offs, their history and their
// audit events) are written directly with multi-row INSERTs of the
// project's model types, exactly as the service would write them: audit
// events chained with the service's hash, tally counters moved by every
// sign-off. `minyi serve` then serves the data as its own.

// Shape of a seeded estate: buildings of 2 units × 6 floors × 2 flats.
const (
	scaleUnits              = 2
	scaleFloors             = 6
	scaleFlatsPerFloor      = 2
	scaleBuildingSize       = scaleUnits * scaleFloors * scaleFlatsPerFloor
	scaleEstatesPerWorker   = 10
	scaleEstatesPerDesigner = 20
)

// scaleSeedOptions are the scale seed's settings.
type scaleSeedOptions struct {
	Estates    int
	Households int     // in all, spread evenly over the estates
	OpenShare  float64 // share of the rounds left open (the others are closed)
	Seeders    int     // estates seeded at once
	Tag        string  // estate codes are <Tag>-<n>, staff usernames <Tag>-worker-<n>
	DataKey    string  // the server's MINYI_DATA_KEY, to seal phone numbers
}

// scaleStaffPassword is the password of every staff account the scale seed
// creates (the scale scenario logs in with it); a benchmark database only.
func scaleStaffPassword(tag string) string { return "bench-" + tag + "-password" }

// scaleSeeder holds what every estate's seeding shares.
type scaleSeeder struct {
	o        scaleSeedOptions
	db       *model.DB
	c        *client
	admin    string // token
	adminID  string
	workers  []staffAccount
	designer []staffAccount
	requests string // request id written into the seeded rows
	// api and bulk add up the time spent in API calls and in bulk writes.
	api, bulk atomic.Int64
}

// timed adds the time a step took to one of the seeder's totals.
func timed(total *atomic.Int64, step func() error) error {
	start := time.Now()
	err := step()
	total.Add(int64(time.Since(start)))
	return err
}

// staffAccount is a seeded worker or designer.
type staffAccount struct{ ID, Username string }

// seedScale creates the estates through the server at o.URL and the bulk
// rows in db; it prints its progress and returns the tag of the estates.
func seedScale(ctx context.Context, o *options, so scaleSeedOptions, db *model.DB, out io.Writer) (string, error) {
	if so.Estates < 1 || so.Households < so.Estates || so.OpenShare < 0 || so.OpenShare > 1 || so.Seeders < 1 {
		return "", errors.New("scale-seed: -estates at least 1, -households at least one per estate, -open-share between 0 and 1, -seeders at least 1")
	}
	if so.Tag == "" {
		so.Tag = "scale-" + newSuffix()
	}
	c := newClient(o.URL, 2*so.Seeders)
	s := &scaleSeeder{o: so, db: db, c: c, requests: "bench-" + so.Tag}
	var err error
	if s.admin, err = c.login(ctx, o.AdminUser, o.AdminPassword); err != nil {
		return "", err
	}
	var me struct {
		ID string `json:"id"`
	}
	if err := c.call(ctx, "GET", "/api/v1/me", s.admin, nil, &me); err != nil {
		return "", err
	}
	s.adminID = me.ID
	start := time.Now()
	if s.workers, err = s.createStaff(ctx, "worker", (so.Estates+scaleEstatesPerWorker-1)/scaleEstatesPerWorker); err != nil {
		return "", err
	}
	if s.designer, err = s.createStaff(ctx, "designer", (so.Estates+scaleEstatesPerDesigner-1)/scaleEstatesPerDesigner); err != nil {
		return "", err
	}
	fmt.Fprintf(out, "scale-seed %s: %d estates, %d households, %.0f%% of the rounds open; %d workers, %d designers (load %s)\n",
		so.Tag, so.Estates, so.Households, 100*so.OpenShare, len(s.workers), len(s.designer), loadAverage())

	next := make(chan int)
	var (
		wg       sync.WaitGroup
		done     atomic.Int64
		failOnce sync.Once
		failure  error
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range so.Seeders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := s.seedEstate(ctx, i); err != nil {
					failOnce.Do(func() { failure = fmt.Errorf("estate %d: %w", i, err); cancel() })
					return
				}
				if n := done.Add(1); n%200 == 0 || int(n) == so.Estates {
					fmt.Fprintf(out, "  %d/%d estates in %s (load %s)\n", n, so.Estates, time.Since(start).Round(time.Second), loadAverage())
				}
			}
		}()
	}
feed:
	for i := range so.Estates {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if failure != nil {
		return "", failure
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	fmt.Fprintf(out, "scale-seed %s done in %s (summed over the seeders: API calls %s, bulk writes %s)\n", so.Tag,
		time.Since(start).Round(time.Second), time.Duration(s.api.Load()).Round(time.Second), time.Duration(s.bulk.Load()).Round(time.Second))
	return so.Tag, nil
}

// createStaff creates n staff accounts of a role through the API, with
// the seeders' concurrency (each costs the server a password hash).
func (s *scaleSeeder) createStaff(ctx context.Context, role string, n int) ([]staffAccount, error) {
	accounts := make([]staffAccount, n)
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range s.o.Seeders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				username := fmt.Sprintf("%s-%s-%04d", s.o.Tag, role, i+1)
				var user struct {
					ID string `json:"id"`
				}
				errs[i] = s.c.call(ctx, "POST", "/api/v1/users", s.admin, map[string]string{
					"username": username, "password": scaleStaffPassword(s.o.Tag), "display_name": fmt.Sprintf("%s%d", roleName[role], i+1), "role": role,
				}, &user)
				accounts[i] = staffAccount{ID: user.ID, Username: username}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return accounts, errors.Join(errs...)
}

var roleName = map[string]string{"worker": "社区工作人员", "designer": "设计师"}

// householdsOf is the number of households of estate i: the total spread
// evenly, the remainder going to the first estates.
func (s *scaleSeeder) householdsOf(i int) int {
	n := s.o.Households / s.o.Estates
	if i < s.o.Households%s.o.Estates {
		n++
	}
	return n
}

// roundOpen tells whether estate i's round stays open: the open ones are
// spread evenly over the estates rather than being the first ones.
func (s *scaleSeeder) roundOpen(i int) bool {
	return int(float64(i+1)*s.o.OpenShare) > int(float64(i)*s.o.OpenShare)
}

// seedEstate seeds one estate: the estate and its staff through the API,
// its households (bulk), its round opened through the API, the sign-offs
// (bulk) and, for a closed round, the closing through the API.
func (s *scaleSeeder) seedEstate(ctx context.Context, i int) error {
	code := fmt.Sprintf("%s-%04d", s.o.Tag, i+1)
	var estate struct {
		ID string `json:"id"`
	}
	if err := s.call(ctx, "POST", "/api/v1/estates", map[string]any{
		"name": fmt.Sprintf("%s小区%d", estateNames[i%len(estateNames)], i+1), "code": code,
		"district": districts[i%len(districts)], "street": "压测街道", "built_year": 1980 + i%20,
	}, &estate); err != nil {
		return err
	}
	worker := s.workers[i/scaleEstatesPerWorker]
	for _, a := range []struct {
		account staffAccount
		role    string
	}{{worker, "worker"}, {s.designer[i/scaleEstatesPerDesigner], "designer"}} {
		if err := s.call(ctx, "PUT", "/api/v1/estates/"+estate.ID+"/staff/"+a.account.ID,
			map[string]string{"role": a.role}, nil); err != nil {
			return err
		}
	}
	var households []seededHousehold
	err := timed(&s.bulk, func() (err error) {
		households, err = s.insertHouseholds(ctx, estate.ID, i)
		return err
	})
	if err != nil {
		return fmt.Errorf("households: %w", err)
	}
	var round struct {
		ID string `json:"id"`
	}
	if err := s.call(ctx, "POST", "/api/v1/estates/"+estate.ID+"/rounds",
		map[string]any{"title": "加装电梯意愿征询", "kind": "willingness"}, &round); err != nil {
		return err
	}
	if err := s.call(ctx, "POST", "/api/v1/rounds/"+round.ID+"/open", nil, nil); err != nil {
		return err
	}
	open := s.roundOpen(i)
	share := 0.9 // a closed round: most households decided
	if open {
		share = 0.3 + 0.4*float64(i%7)/6 // an open round: 30% to 70% so far
	}
	if err := timed(&s.bulk, func() error {
		return s.insertSignOffs(ctx, estate.ID, round.ID, worker.ID, households, share, int64(i))
	}); err != nil {
		return fmt.Errorf("sign-offs: %w", err)
	}
	if !open {
		return s.call(ctx, "POST", "/api/v1/rounds/"+round.ID+"/close",
			map[string]string{"reason": "入户征询已完成，提前结束"}, nil)
	}
	return nil
}

var estateNames = []string{"幸福里", "向阳", "建设", "红星", "和平", "光明", "新村", "工人", "团结", "东风", "友谊", "前进"}

var districts = []string{"东城区", "西城区", "南岗区", "道里区", "香坊区", "江北区", "沙坪坝区", "九龙坡区"}

// runScaleSeed is the scale-seed scenario: it opens -mysql (the server's
// database) and seeds it through the server at -url.
func runScaleSeed(ctx context.Context, o *options, out io.Writer) (*report, error) {
	var options []model.Option
	if o.Seed.DataKey != "" {
		key, err := fieldcrypt.ParseKey(o.Seed.DataKey)
		if err != nil {
			return nil, fmt.Errorf("-data-key %w", err)
		}
		keys, err := fieldcrypt.NewKeys(key)
		if err != nil {
			return nil, err
		}
		options = append(options, model.WithKeys(keys))
	}
	db, err := model.Open(o.MySQLURL, options...)
	if err != nil {
		return nil, fmt.Errorf("-mysql: %w", err)
	}
	defer db.Close()
	if _, err := seedScale(ctx, o, o.Seed, db, out); err != nil {
		return nil, err
	}
	return &report{}, nil
}

// call sends an admin request to the server, adding its time to the API total.
func (s *scaleSeeder) call(ctx context.Context, method, path string, body, out any) error {
	return timed(&s.api, func() error { return s.c.call(ctx, method, path, s.admin, body, out) })
}
