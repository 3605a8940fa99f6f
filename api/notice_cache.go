package api

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"sync"
	"time"
)

// maxCachedNotices bounds the cache; past it the cache starts afresh (an
// estate's board is rebuilt on its next request).
const maxCachedNotices = 1024

// noticeFreshFor is how long a cached board is served without asking the
// database whether it changed. A whole estate scanning the poster at once
// then costs one small query per second, not one per scan; a sign-off shows
// on the board at most this much later (browsers may keep a page for the
// 30 s of Cache-Control anyway).
const noticeFreshFor = time.Second

// renderedNotice is one version of an estate's board in its three forms,
// each ready to be served as it is.
type renderedNotice struct {
	version            string
	html, json, poster *preparedBody
}

// noticeEntry is an estate's cached board and when its version was last confirmed.
type noticeEntry struct {
	rendered   *renderedNotice
	checkedAt  time.Time
	refreshing bool
}

// noticeCache keeps the latest rendered board of each estate by code, and
// the QR code images by URL and size.
type noticeCache struct {
	freshFor time.Duration
	mu       sync.Mutex
	boards   map[string]*noticeEntry
	builds   map[string]*sync.Mutex
	qrCodes  map[string]*preparedBody
}

func newNoticeCache(freshFor time.Duration) *noticeCache {
	return &noticeCache{freshFor: freshFor, boards: map[string]*noticeEntry{}, builds: map[string]*sync.Mutex{},
		qrCodes: map[string]*preparedBody{}}
}

// current returns the cached board of an estate. serve is true when it may be
// served as it is: confirmed within freshFor, or being confirmed by another
// request right now (so that only one request at a time asks the database).
// When serve is false the caller must confirm or replace the board, and call
// store or release.
func (c *noticeCache) current(code string, now time.Time) (rendered *renderedNotice, serve bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.boards[code]
	if e == nil {
		return nil, false
	}
	if now.Sub(e.checkedAt) < c.freshFor || e.refreshing {
		return e.rendered, true
	}
	e.refreshing = true
	return e.rendered, false
}

// lookup returns the cached board of the estate if it has this version.
func (c *noticeCache) lookup(code, version string) *renderedNotice {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.boards[code]; e != nil && e.rendered.version == version {
		return e.rendered
	}
	return nil
}

// store keeps a board, confirmed at checkedAt, as the estate's latest.
func (c *noticeCache) store(code string, r *renderedNotice, checkedAt time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.boards) >= maxCachedNotices {
		c.boards = map[string]*noticeEntry{}
	}
	c.boards[code] = &noticeEntry{rendered: r, checkedAt: checkedAt}
}

// release ends a refresh that failed, so the next request tries again.
func (c *noticeCache) release(code string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.boards[code]; e != nil {
		e.refreshing = false
	}
}

// forget drops an estate's board (its code no longer exists).
func (c *noticeCache) forget(code string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.boards, code)
}

// lockBuild takes the estate's build lock, so that a board that changed is
// built once however many requests ask for it at that moment; it returns the unlock.
func (c *noticeCache) lockBuild(code string) func() {
	c.mu.Lock()
	lock := c.builds[code]
	if lock == nil {
		if len(c.builds) >= maxCachedNotices {
			c.builds = map[string]*sync.Mutex{}
		}
		lock = &sync.Mutex{}
		c.builds[code] = lock
	}
	c.mu.Unlock()
	lock.Lock()
	return lock.Unlock
}

// qrCode returns the PNG of a QR code for the text at the size, ready to be
// served, encoding it once. Its ETag is named after the text and the size.
func (c *noticeCache) qrCode(text string, size int) (*preparedBody, error) {
	key := strconv.Itoa(size) + " " + text
	c.mu.Lock()
	prepared, ok := c.qrCodes[key]
	c.mu.Unlock()
	if ok {
		return prepared, nil
	}
	png, err := encodeQR(text, size)
	if err != nil {
		return nil, err
	}
	digest := sha256.Sum256([]byte(text + "#" + strconv.Itoa(size)))
	prepared = prepareBody("image/png", "q-"+hex.EncodeToString(digest[:12]), png, false)
	c.mu.Lock()
	if len(c.qrCodes) >= maxCachedNotices {
		c.qrCodes = map[string]*preparedBody{}
	}
	c.qrCodes[key] = prepared
	c.mu.Unlock()
	return prepared, nil
}
