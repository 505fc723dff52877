package lyceum

import "testing"

func TestWatchedPercent(t *testing.T) {
	v := &Video{DurationSeconds: 9.5} // 10 segments
	for _, tc := range []struct {
		name    string
		p       *ItemProgress
		v       *Video
		percent float64
	}{
		{"no progress", nil, v, 0},
		{"not a video", &ItemProgress{Watched: []int{0}}, nil, 0},
		{"some", &ItemProgress{Watched: []int{0, 1, 2}}, v, 30},
		{"segments past the end do not count", &ItemProgress{Watched: []int{0, 9, 10, 11, -1}}, v, 20},
		{"a third, to a tenth", &ItemProgress{Watched: []int{0}}, &Video{DurationSeconds: 3}, 33.3},
		{"no duration", &ItemProgress{Watched: []int{0}}, &Video{}, 0},
	} {
		if got := tc.p.WatchedPercent(tc.v); got != tc.percent {
			t.Errorf("%s: %v%%, want %v%%", tc.name, got, tc.percent)
		}
	}
}
