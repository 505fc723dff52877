package learning

import (
	"context"
	"sync"
	"time"

	"github.com/lyceum/lyceum"
)

// courseCache keeps decoded courses for a short time: every learner request
// needs its course, and decoding the document is most of a request's CPU.
// Courses from the cache are shared: treat them as read-only. A change made
// through this instance is seen at once; one made through another instance
// within TTL.
type courseCache struct {
	mu      sync.Mutex
	entries map[string]cachedCourse
}

type cachedCourse struct {
	c       *lyceum.Course
	fetched time.Time
}

// maxCachedCourses bounds the cache; past it, the cache starts over.
const maxCachedCourses = 10000

func (cc *courseCache) get(ctx context.Context, store lyceum.CourseStore, id string, ttl time.Duration) (*lyceum.Course, error) {
	if ttl <= 0 {
		return store.CourseByID(ctx, id)
	}
	now := time.Now()
	cc.mu.Lock()
	e, ok := cc.entries[id]
	cc.mu.Unlock()
	if ok && now.Sub(e.fetched) < ttl {
		return e.c, nil
	}
	c, err := store.CourseByID(ctx, id)
	if err != nil {
		return nil, err
	}
	cc.mu.Lock()
	if cc.entries == nil || len(cc.entries) >= maxCachedCourses {
		cc.entries = map[string]cachedCourse{}
	}
	cc.entries[id] = cachedCourse{c, now}
	cc.mu.Unlock()
	return c, nil
}

func (cc *courseCache) forget(id string) {
	cc.mu.Lock()
	delete(cc.entries, id)
	cc.mu.Unlock()
}
