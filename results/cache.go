package results

import (
	"container/list"
	"os"
	"sync"
)

// cache keeps local copies of stored results, least recently used first
// out, within max bytes. An entry in use is never removed under its user:
// it goes when the last one releases it.
type cache struct {
	mu      sync.Mutex
	max     int64
	used    int64 // bytes of the entries in lru
	entries map[string]*entry
	lru     *list.List // ready entries, most recently used at the front
}

type entry struct {
	key   string
	ready chan struct{} // closed when path, size and meta are set, or err
	err   error

	path    string
	size    int64 // of the file and its indexes
	meta    *meta
	indexes map[string]*index // sort orders, by field and direction

	refs int
	elem *list.Element // in lru, or nil
	gone bool          // deleted or replaced: remove the file when unused
}

// index is a sort order of a result: its row numbers, sorted.
type index struct {
	ready chan struct{} // closed when path or err is set
	path  string
	err   error
}

func newCache(max int64) *cache {
	return &cache{max: max, entries: map[string]*entry{}, lru: list.New()}
}

// get returns key's entry, referenced, and whether the caller must fetch it
// (then it reports with fetched).
func (c *cache) get(key string) (e *entry, fetch bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.entries[key]; e != nil {
		e.refs++
		if e.elem != nil {
			c.lru.MoveToFront(e.elem)
		}
		return e, false
	}
	e = &entry{key: key, ready: make(chan struct{}), refs: 1}
	c.entries[key] = e
	return e, true
}

// fetched records the end of e's fetch. On failure it drops e (and the
// caller's reference); waiters see err.
func (c *cache) fetched(e *entry, path string, size int64, m *meta, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e.path, e.size, e.meta = path, size, m
	if err != nil {
		e.err = err
		e.refs--
		if c.entries[e.key] == e {
			delete(c.entries, e.key)
		}
		close(e.ready)
		return
	}
	close(e.ready)
	if !e.gone {
		c.add(e)
	}
}

// install adds a file just written for key, replacing any older copy.
func (c *cache) install(key, path string, size int64, m *meta) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropLocked(key)
	e := &entry{key: key, ready: make(chan struct{}), path: path, size: size, meta: m}
	close(e.ready)
	c.entries[key] = e
	c.add(e)
}

func (c *cache) add(e *entry) {
	e.elem = c.lru.PushFront(e)
	c.used += e.size
	c.evict()
}

func (c *cache) release(e *entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e.refs--
	if e.refs > 0 {
		return
	}
	if e.gone {
		removeFiles(e)
		return
	}
	c.evict()
}

// index returns e's index called name, and whether the caller must build
// it (then it reports with indexBuilt).
func (c *cache) index(e *entry, name string) (ix *index, build bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ix := e.indexes[name]; ix != nil {
		return ix, false
	}
	if e.indexes == nil {
		e.indexes = map[string]*index{}
	}
	ix = &index{ready: make(chan struct{})}
	e.indexes[name] = ix
	return ix, true
}

// indexBuilt records the end of an index build. On failure it forgets the
// index, so that the next caller tries again.
func (c *cache) indexBuilt(e *entry, name string, ix *index, path string, size int64, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ix.path, ix.err = path, err
	close(ix.ready)
	if err != nil {
		delete(e.indexes, name)
		return
	}
	e.size += size
	if e.elem != nil {
		c.used += size
		c.evict()
	}
}

// drop forgets key's copy (its result was deleted).
func (c *cache) drop(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropLocked(key)
}

func (c *cache) dropLocked(key string) {
	e := c.entries[key]
	if e == nil {
		return
	}
	delete(c.entries, key)
	c.unlink(e)
}

// unlink takes e out of the cache; its file goes now, or when its last
// user releases it.
func (c *cache) unlink(e *entry) {
	if e.elem != nil {
		c.lru.Remove(e.elem)
		e.elem = nil
		c.used -= e.size
	}
	e.gone = true
	if e.refs == 0 {
		removeFiles(e)
	}
}

func removeFiles(e *entry) {
	if e.path != "" {
		os.Remove(e.path)
	}
	for _, ix := range e.indexes {
		if ix.path != "" {
			os.Remove(ix.path)
		}
	}
}

// evict removes unused entries, oldest first, until the cache fits.
func (c *cache) evict() {
	for el := c.lru.Back(); el != nil && c.used > c.max; {
		e := el.Value.(*entry)
		el = el.Prev()
		if e.refs > 0 {
			continue
		}
		if c.entries[e.key] == e {
			delete(c.entries, e.key)
		}
		c.unlink(e)
	}
}
