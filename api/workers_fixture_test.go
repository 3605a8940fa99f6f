package api

import (
	"bytes"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"minyi/model"
	"minyi/service"
)

// workersEnv is an estate with an admin, an assigned worker and designer,
// and a worker of another estate, for the workers' tools tests.
type workersEnv struct {
	t        *testing.T
	srv      *testServer
	admin    string
	worker   string
	designer string
	stranger string // a worker not assigned to the estate
	estateID string
}

// workersClock is a clock the test moves by hand.
type workersClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *workersClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *workersClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newWorkersEnv(t *testing.T, db *model.DB) *workersEnv {
	return newWorkersEnvAt(t, db, nil)
}

// newWorkersEnvAt is newWorkersEnv with the service on the given clock (nil: the real one).
func newWorkersEnvAt(t *testing.T, db *model.DB, clock service.Clock) *workersEnv {
	t.Helper()
	srv := newTestServer(t, db)
	if clock != nil {
		srv.svc = service.New(db, service.Config{JWTSecret: []byte("test-secret-test-secret-test-secret!")}, clock)
		srv.handler, srv.api = New(srv.svc, Config{OpenAPI: specBytes, PublicBaseURL: "https://minyi.example.cn",
			DataDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	}
	e := &workersEnv{t: t, srv: srv, admin: srv.adminToken()}
	workerID, worker := srv.staff(e.admin, "grid-worker", "worker")
	designerID, designer := srv.staff(e.admin, "planner", "designer")
	_, e.stranger = srv.staff(e.admin, "other-worker", "worker")
	e.worker, e.designer = worker, designer
	var estate estateResponse
	srv.must(http.StatusCreated, "POST", "/api/v1/estates", e.admin, map[string]any{"name": "幸福里小区"}).decode(t, &estate)
	e.estateID = estate.ID
	srv.must(http.StatusNoContent, "PUT", "/api/v1/estates/"+e.estateID+"/staff/"+workerID, e.admin, map[string]string{"role": "worker"})
	srv.must(http.StatusNoContent, "PUT", "/api/v1/estates/"+e.estateID+"/staff/"+designerID, e.admin, map[string]string{"role": "designer"})
	return e
}

// upload sends a file as the multipart field "file".
func (e *workersEnv) upload(path, token, fileName string, data []byte, headers ...string) *testResponse {
	e.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, err := w.CreateFormFile("file", fileName)
	if err != nil {
		e.t.Fatal(err)
	}
	part.Write(data)
	w.Close()
	return e.srv.call("POST", path, token, body.Bytes(), append([]string{"Content-Type", w.FormDataContentType()}, headers...)...)
}

func (e *workersEnv) importPath(query string) string {
	return "/api/v1/estates/" + e.estateID + "/households/import" + query
}

// roster lists the estate's households keyed "building-unit-room".
func (e *workersEnv) roster() map[string]householdResponse {
	e.t.Helper()
	var list listResponse[householdResponse]
	e.srv.must(http.StatusOK, "GET", "/api/v1/estates/"+e.estateID+"/households?limit=500", e.admin, nil).decode(e.t, &list)
	byAddress := map[string]householdResponse{}
	for _, h := range list.Items {
		byAddress[h.Building+"-"+h.Unit+"-"+h.Room] = h
	}
	return byAddress
}

// workbook builds an .xlsx whose first sheet holds the rows.
func workbook(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for r, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, r+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readSheets opens a downloaded workbook and returns the rows of each sheet.
func readSheets(t *testing.T, data []byte) map[string][][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the download is not a workbook: %v", err)
	}
	defer f.Close()
	sheets := map[string][][]string{}
	for _, name := range f.GetSheetList() {
		rows, err := f.GetRows(name)
		if err != nil {
			t.Fatal(err)
		}
		sheets[name] = rows
	}
	return sheets
}
