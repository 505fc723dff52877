package querying

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lyceum/lyceum"
)

// DeleteOldResults deletes the stored results of runs that finished more
// than ResultRetention ago, except each saved query's latest result, and
// clears those runs' ResultKey (their result page then says it was
// deleted). It returns how many results it deleted. Housekeeping runs it
// under the lease.
//
// Identical queries share one result: runs holding the same key finished
// together (same time, same day), so a day's runs tell whether any holder
// of a key is a saved query's latest.
func (s *Service) DeleteOldResults(ctx context.Context) (int, error) {
	if s.Blobs == nil {
		return 0, nil
	}
	cutoff := time.Now().Add(-s.Lifecycle.withDefaults().ResultRetention)
	days, err := s.Store.ResultDays(ctx, cutoff)
	if err != nil {
		return 0, err
	}
	latest := map[string]string{} // saved query → its latest run ("" if none)
	isLatest := func(r lyceum.QueryRun) (bool, error) {
		if r.QueryID == "" {
			return false, nil
		}
		id, ok := latest[r.QueryID]
		if !ok {
			q, err := s.Store.SavedQuery(ctx, r.QueryID)
			if err != nil && !errors.Is(err, lyceum.ErrNotFound) {
				return false, err
			}
			if q != nil {
				id = q.LatestRunID
			}
			latest[r.QueryID] = id
		}
		return id == r.ID, nil
	}
	deleted := 0
	for _, day := range days {
		runs, err := s.Store.RunsWithResultOn(ctx, day)
		if err != nil {
			return deleted, err
		}
		keep := map[string]bool{}
		byKey := map[string][]lyceum.QueryRun{}
		for _, r := range runs {
			if r.FinishedAt == nil || !r.FinishedAt.Before(cutoff) {
				keep[r.ResultKey] = true
				continue
			}
			l, err := isLatest(r)
			if err != nil {
				return deleted, err
			}
			if l {
				keep[r.ResultKey] = true
			}
			byKey[r.ResultKey] = append(byKey[r.ResultKey], r)
		}
		for key, holders := range byKey {
			if keep[key] {
				continue
			}
			if err := s.Blobs.Delete(ctx, key); err != nil && !errors.Is(err, lyceum.ErrNotFound) {
				return deleted, fmt.Errorf("delete result %s: %w", key, err)
			}
			deleted++
			for _, r := range holders {
				r.ResultKey = ""
				if err := s.Store.PutQueryRun(ctx, &r); err != nil {
					return deleted, fmt.Errorf("forget the deleted result of run %s: %w", r.ID, err)
				}
			}
		}
	}
	return deleted, nil
}
