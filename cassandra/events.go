package cassandra

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"

	"github.com/lyceum/lyceum"
)

// The event log is bucketed by the hour of each event id's time (ids are
// UUIDv7, which carry their creation time in milliseconds) and spread over
// EventShards partitions per hour by a hash of the id. A reader's position
// is the last id it read: ids sort by time as text, so "after this id" is a
// range on every partition. Readers stay EventLag behind now, so an event
// whose append is still in flight (on any instance) is not skipped.

// idTime returns the creation time in an event id.
func idTime(id string) (time.Time, error) {
	u, err := uuid.Parse(id)
	if err != nil || u.Version() != 7 || u.String() != id {
		return time.Time{}, lyceum.Invalid("id", "event id %q is not a lower-case UUIDv7", id)
	}
	sec, nsec := u.Time().UnixTime()
	return time.Unix(sec, nsec).UTC(), nil
}

func hourOf(t time.Time) time.Time { return t.UTC().Truncate(time.Hour) }

func (db *DB) shardOf(id string) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % uint32(db.cfg.EventShards))
}

// idBound is the smallest id text of time t: every id created before t
// sorts below it.
func idBound(t time.Time) string {
	ms := uint64(t.UnixMilli())
	return fmt.Sprintf("%08x-%04x", ms>>16, ms&0xffff)
}

func (db *DB) AppendEvents(ctx context.Context, events ...lyceum.Event) error {
	if len(events) == 0 {
		return nil
	}
	buckets := map[time.Time]bool{}
	at := make([]time.Time, len(events))
	for i, e := range events {
		t, err := idTime(e.ID)
		if err != nil {
			return err
		}
		at[i] = t
		buckets[hourOf(t)] = true
	}
	// Register the hours first: a reader finds events through them.
	for b := range buckets {
		if err := db.registerBucket(ctx, b); err != nil {
			return err
		}
	}
	// The events go in parallel, at most 32 writes at once.
	var g errgroup.Group
	g.SetLimit(32)
	for i, e := range events {
		g.Go(func() error {
			payload := string(e.Payload)
			if payload == "" {
				payload = "{}"
			}
			err := db.q(ctx, `INSERT INTO events (bucket, shard, id, time, type, user_id, course_id, item_id, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				hourOf(at[i]), db.shardOf(e.ID), e.ID, e.Time, string(e.Type), e.UserID, e.CourseID, e.ItemID, payload).Exec()
			if err != nil {
				return fmt.Errorf("append event %s: %w", e.ID, err)
			}
			if err := db.indexEvent(ctx, e, at[i], payload); err != nil {
				return fmt.Errorf("append event %s: %w", e.ID, err)
			}
			return nil
		})
	}
	return g.Wait()
}

func (db *DB) registerBucket(ctx context.Context, b time.Time) error {
	key := b.Unix()
	db.bucketsMu.Lock()
	known := db.buckets[key]
	db.bucketsMu.Unlock()
	if known {
		return nil
	}
	if err := db.q(ctx, `INSERT INTO event_buckets (year, bucket) VALUES (?, ?)`, b.Year(), b).Exec(); err != nil {
		return fmt.Errorf("register event bucket %s: %w", b.Format(time.RFC3339), err)
	}
	db.bucketsMu.Lock()
	db.buckets[key] = true
	db.bucketsMu.Unlock()
	return nil
}

func (db *DB) ReadEvents(ctx context.Context, pos lyceum.EventPosition, limit int) ([]lyceum.Event, lyceum.EventPosition, error) {
	if limit <= 0 {
		return nil, pos, lyceum.Invalid("limit", "must be positive")
	}
	after := string(pos)
	upper := time.Now().Add(-db.cfg.EventLag)
	var from time.Time
	if after != "" {
		t, err := idTime(after)
		if err != nil {
			return nil, pos, lyceum.Invalid("position", "not an event log position of this store: %q", pos)
		}
		from = hourOf(t)
	}
	buckets, err := db.bucketsBetween(ctx, from, upper)
	if err != nil {
		return nil, pos, err
	}
	bound := idBound(upper)
	out := []lyceum.Event{}
	for _, b := range buckets {
		evs, err := db.readBucket(ctx, b, after, bound, limit-len(out))
		if err != nil {
			return nil, pos, err
		}
		out = append(out, evs...)
		if len(out) >= limit {
			break
		}
	}
	if len(out) == 0 {
		return out, pos, nil
	}
	return out, lyceum.EventPosition(out[len(out)-1].ID), nil
}

// bucketsBetween lists the registered hours from from (zero: the first)
// to upper, in order.
func (db *DB) bucketsBetween(ctx context.Context, from, upper time.Time) ([]time.Time, error) {
	var years []int
	if from.IsZero() {
		var err error
		if years, err = column[int](db.q(ctx, `SELECT DISTINCT year FROM event_buckets`)); err != nil {
			return nil, fmt.Errorf("read event buckets: %w", err)
		}
		slices.Sort(years)
	} else {
		for y := from.Year(); y <= upper.Year(); y++ {
			years = append(years, y)
		}
	}
	var out []time.Time
	for _, y := range years {
		iter := db.q(ctx, `SELECT bucket FROM event_buckets WHERE year = ? AND bucket >= ? AND bucket <= ?`, y, from, upper).Iter()
		var b time.Time
		for iter.Scan(&b) {
			out = append(out, b.UTC())
		}
		if err := iter.Close(); err != nil {
			return nil, fmt.Errorf("read event buckets: %w", err)
		}
	}
	return out, nil
}

// readBucket reads up to limit events of one hour with after < id < bound,
// merging its shards in id order.
func (db *DB) readBucket(ctx context.Context, bucket time.Time, after, bound string, limit int) ([]lyceum.Event, error) {
	var mu sync.Mutex
	var all []lyceum.Event
	var wg sync.WaitGroup
	errs := make([]error, db.cfg.EventShards)
	for shard := range db.cfg.EventShards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			iter := db.q(ctx, `SELECT id, time, type, user_id, course_id, item_id, payload FROM events
				WHERE bucket = ? AND shard = ? AND id > ? AND id < ? LIMIT ?`, bucket, shard, after, bound, limit).Iter()
			var evs []lyceum.Event
			var e lyceum.Event
			var typ, payload string
			for iter.Scan(&e.ID, &e.Time, &typ, &e.UserID, &e.CourseID, &e.ItemID, &payload) {
				e.Type, e.Time, e.Payload = lyceum.EventType(typ), e.Time.UTC(), json.RawMessage(payload)
				evs = append(evs, e)
				e = lyceum.Event{}
			}
			if err := iter.Close(); err != nil {
				errs[shard] = fmt.Errorf("read events: %w", err)
				return
			}
			mu.Lock()
			all = append(all, evs...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	slices.SortFunc(all, func(a, b lyceum.Event) int { return strings.Compare(a.ID, b.ID) })
	if len(all) > limit {
		all = all[:limit]
	}
	return all, nil
}
