package lyceum

import (
	"math"
	"testing"
	"time"
)

func TestWatchedPercent(t *testing.T) {
	v := &Video{DurationSeconds: 9.5} // 10 segments
	for _, tc := range []struct {
		name    string
		p       *ItemProgress
		v       *Video
		percent float64
	}{
		{"no progress", nil, v, 0},
		{"not a video", &ItemProgress{LegacyWatched: []int{0}}, nil, 0},
		{"some", &ItemProgress{LegacyWatched: []int{0, 1, 2}}, v, 30},
		{"segments past the end do not count", &ItemProgress{LegacyWatched: []int{0, 9, 10, 11, -1}}, v, 20},
		{"a third, to a tenth", &ItemProgress{LegacyWatched: []int{0}}, &Video{DurationSeconds: 3}, 33.3},
		{"no duration", &ItemProgress{LegacyWatched: []int{0}}, &Video{}, 0},
	} {
		if got := tc.p.WatchedPercent(tc.v); got != tc.percent {
			t.Errorf("%s: %v%%, want %v%%", tc.name, got, tc.percent)
		}
	}
}

func at(t0 time.Time, seconds float64) time.Time {
	return t0.Add(time.Duration(seconds * float64(time.Second)))
}

// claims reports segments from..to (inclusive) watched at t.
func claims(m map[int]time.Time, from, to int, t time.Time) map[int]time.Time {
	if m == nil {
		m = map[int]time.Time{}
	}
	for s := from; s <= to; s++ {
		m[s] = t
	}
	return m
}

func TestWatchAllowance(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		elapsed float64
		want    int
	}{
		{-5, int(WatchGraceSeconds)}, // a clock that went back
		{0, int(WatchGraceSeconds)},
		{10, int(WatchGraceSeconds) + 20},
		{300, int(WatchGraceSeconds) + 600},
		{2e9, math.MaxInt32}, // 63 years: no overflow
	} {
		if got := WatchAllowance(t0, at(t0, tc.elapsed)); got != tc.want {
			t.Errorf("after %v s: %d segments, want %d", tc.elapsed, got, tc.want)
		}
	}
}

func TestWatchedSegments(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	grace := int(WatchGraceSeconds)
	for _, tc := range []struct {
		name string
		p    *ItemProgress
		want int // segments that count
	}{
		{"nothing", &ItemProgress{}, 0},
		{"nil", nil, 0},
		{"segments recorded before timing count as they are", &ItemProgress{LegacyWatched: []int{0, 1, 2, 3}}, 4},
		{"a whole hour claimed at once: the grace only", &ItemProgress{WatchStartedAt: &t0,
			WatchedAt: claims(nil, 0, 3599, t0)}, grace},
		{"a whole hour claimed a minute in: two minutes and the grace", &ItemProgress{WatchStartedAt: &t0,
			WatchedAt: claims(nil, 0, 3599, at(t0, 60))}, 120 + grace},
		{"watched at normal speed, reported every 10 s", &ItemProgress{WatchStartedAt: &t0, WatchedAt: func() map[int]time.Time {
			m := map[int]time.Time{}
			for i := 0; i < 60; i++ {
				claims(m, i*10, i*10+9, at(t0, float64(i*10+10)))
			}
			return m
		}()}, 600},
		{"watched at twice the speed", &ItemProgress{WatchStartedAt: &t0, WatchedAt: func() map[int]time.Time {
			m := map[int]time.Time{}
			for i := 0; i < 30; i++ {
				claims(m, i*20, i*20+19, at(t0, float64(i*10+10)))
			}
			return m
		}()}, 600},
		{"at three times the speed, what twice allows", &ItemProgress{WatchStartedAt: &t0, WatchedAt: func() map[int]time.Time {
			m := map[int]time.Time{}
			for i := 0; i < 20; i++ {
				claims(m, i*30, i*30+29, at(t0, float64(i*10+10)))
			}
			return m
		}()}, 2*200 + grace},
		{"claims written together by racing requests: no more than the allowance", &ItemProgress{WatchStartedAt: &t0,
			WatchedAt: claims(claims(claims(nil, 0, 29, at(t0, 10)), 100, 129, at(t0, 10)), 200, 229, at(t0, 10))}, 20 + grace},
		{"old segments do not use up the allowance", &ItemProgress{LegacyWatched: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, WatchStartedAt: &t0,
			WatchedAt: claims(nil, 20, 100, t0)}, 12 + grace},
		{"a claim of an old segment is not counted twice", &ItemProgress{LegacyWatched: []int{0, 1}, WatchStartedAt: &t0,
			WatchedAt: claims(nil, 0, 1, t0)}, 2},
		{"no start stored: the first claim starts the clock", &ItemProgress{WatchedAt: claims(nil, 0, 99, t0)}, grace},
	} {
		if got := len(tc.p.WatchedSegments()); got != tc.want {
			t.Errorf("%s: %d segments count, want %d", tc.name, got, tc.want)
		}
	}
}

func TestNewlyWatched(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	seq := func(from, to int) []int {
		var out []int
		for s := from; s <= to; s++ {
			out = append(out, s)
		}
		return out
	}
	// A first report: the grace, from the start of the range.
	var p *ItemProgress
	got := p.NewlyWatched(seq(0, 99), t0)
	if len(got) != int(WatchGraceSeconds) || !got[0].Equal(t0) || got[int(WatchGraceSeconds)] != (time.Time{}) {
		t.Fatalf("first report: %v", got)
	}
	// Ten seconds later, twenty more: rewatching the first ten costs nothing.
	p = &ItemProgress{WatchStartedAt: &t0, WatchedAt: got}
	got = p.NewlyWatched(seq(0, 99), at(t0, 10))
	if len(got) != 20 || got[9] != (time.Time{}) || got[10].IsZero() || got[29].IsZero() {
		t.Fatalf("second report: %d new, %v", len(got), got)
	}
	// What NewlyWatched records, WatchedSegments counts.
	for s, when := range got {
		p.WatchedAt[s] = when
	}
	if n := len(p.WatchedSegments()); n != 30 {
		t.Fatalf("%d count after two reports, want 30", n)
	}
	// Nothing left: nothing recorded.
	if got := p.NewlyWatched(seq(200, 299), at(t0, 10)); len(got) != 0 {
		t.Fatalf("over the allowance: %v", got)
	}
}
