package api

import (
	"strconv"
	"sync"
)

// maxCachedNotices bounds the cache; past it the cache starts afresh (an
// estate's board is rebuilt on its next request).
const maxCachedNotices = 1024

// renderedNotice is one version of an estate's board in its three forms.
type renderedNotice struct {
	version            string
	html, json, poster []byte
}

// noticeCache keeps the latest rendered board of each estate by code, and
// the QR code images by URL and size. A cached board is served only while
// its version is still the estate's current one, so it is never stale.
type noticeCache struct {
	mu      sync.Mutex
	boards  map[string]*renderedNotice
	builds  map[string]*sync.Mutex
	qrCodes map[string][]byte
}

func newNoticeCache() *noticeCache {
	return &noticeCache{boards: map[string]*renderedNotice{}, builds: map[string]*sync.Mutex{}, qrCodes: map[string][]byte{}}
}

// lookup returns the cached board of the estate if it has this version.
func (c *noticeCache) lookup(code, version string) *renderedNotice {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r := c.boards[code]; r != nil && r.version == version {
		return r
	}
	return nil
}

// store keeps a rendered board as the estate's latest.
func (c *noticeCache) store(code string, r *renderedNotice) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.boards) >= maxCachedNotices {
		c.boards = map[string]*renderedNotice{}
	}
	c.boards[code] = r
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

// qrCode returns the PNG of a QR code for the text at the size, encoding it once.
func (c *noticeCache) qrCode(text string, size int) ([]byte, error) {
	key := strconv.Itoa(size) + " " + text
	c.mu.Lock()
	png, ok := c.qrCodes[key]
	c.mu.Unlock()
	if ok {
		return png, nil
	}
	png, err := encodeQR(text, size)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.qrCodes) >= maxCachedNotices {
		c.qrCodes = map[string][]byte{}
	}
	c.qrCodes[key] = png
	c.mu.Unlock()
	return png, nil
}
