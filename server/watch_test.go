package server_test

import (
	"sync"
	"testing"
	"time"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/learning"
	"github.com/lyceum/lyceum/server"
)

// testClock is the learning service's clock in these tests: it moves only
// when told, so that minutes of watching take no time.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// startClocked starts a server whose learning service runs on a test clock.
func startClocked(t *testing.T) (*testServer, *testClock) {
	t.Helper()
	clk := &testClock{now: time.Now().UTC()}
	return startServer(t, func(c *server.Config) { c.Now = clk.Now }), clk
}

// longVideoCourse publishes a course whose video "intro" lasts 600 s (its two
// questions at 5 s and 12 s), and returns an enrolled learner who answered
// both questions: watching is all the video still needs.
func longVideoCourse(t *testing.T, ts *testServer, id string) *client {
	t.Helper()
	inst := ts.userWithRole(t, lyceum.RoleInstructor)
	must(t, inst.importCourse(testBundleWith(t, id, nil, "duration: 20", "duration: 600")), 201)
	must(t, inst.post("/api/v1/courses/"+id+"/publish", nil), 200)
	c := ts.client(t).signUp()
	must(t, c.post("/api/v1/courses/"+id+"/enroll", nil), 200)
	answerIntro(t, c, id)
	return c
}

func answerIntro(t *testing.T, c *client, id string) {
	t.Helper()
	must(t, c.post("/api/v1/courses/"+id+"/items/intro/questions/q-single/answer", map[string]any{"response": map[string]any{"choices": []string{"a"}}}), 200)
	must(t, c.post("/api/v1/courses/"+id+"/items/intro/questions/q-num/answer", map[string]any{"response": map[string]any{"number": 42}}), 200)
}

func report(t *testing.T, c *client, course, event string, pos float64, watched ...float64) learning.ItemResult {
	t.Helper()
	body := map[string]any{"event": event, "position": pos}
	if len(watched) == 2 {
		body["watchedFrom"], body["watchedTo"] = watched[0], watched[1]
	}
	var res learning.ItemResult
	must(t, video(c, course, "intro", body), 200).json(t, &res)
	return res
}

// play is the player at rate: "played" at from, then a heartbeat every 10 s
// of wall-clock time covering 10×rate seconds of video, until to.
func play(t *testing.T, c *client, clk *testClock, course string, from, to, rate float64) learning.ItemResult {
	t.Helper()
	res := report(t, c, course, "played", from)
	for pos := from; pos < to; {
		next := min(pos+10*rate, to)
		clk.Advance(time.Duration((next - pos) / rate * float64(time.Second)))
		res = report(t, c, course, "heartbeat", next, pos, next)
		pos = next
	}
	return res
}

func watched(res learning.ItemResult) float64 { return *res.Status.WatchedPercent }

func TestVideoCompletionCannotBeForged(t *testing.T) {
	ts, clk := startClocked(t)
	c := longVideoCourse(t, ts, "forge")

	// The whole video claimed at once, in the largest ranges a report may
	// have, in every order, with every event.
	report(t, c, "forge", "played", 0)
	for _, r := range [][2]float64{{0, 120}, {120, 240}, {240, 360}, {360, 480}, {480, 600}, {480, 600}, {0, 120}} {
		report(t, c, "forge", "heartbeat", r[1], r[0], r[1])
	}
	for from := 590.0; from >= 0; from -= 10 {
		report(t, c, "forge", "seeked", from, from, from+10)
	}
	res := report(t, c, "forge", "ended", 600, 500, 600)
	if res.Status.Status == learning.Completed || watched(res) > 2 {
		t.Fatalf("a script claimed the video at once: %v%% watched, %s", watched(res), res.Status.Status)
	}
	// A minute later, at most what two minutes of watching would give.
	clk.Advance(time.Minute)
	for from := 0.0; from < 600; from += 100 {
		res = report(t, c, "forge", "heartbeat", from+100, from, from+100)
	}
	if max := (2*60 + lyceum.WatchGraceSeconds + 10) / 600 * 100; watched(res) > max {
		t.Fatalf("a minute in, %v%% watched; at twice the speed at most %.1f%%", watched(res), max)
	}
	// A second device does not double the pace.
	tablet := ts.client(t)
	var me struct{ CSRFToken string }
	must(t, tablet.post("/api/v1/auth/login", map[string]string{"email": c.user.Email, "password": "a good long password"}), 200).json(t, &me)
	tablet.csrf = me.CSRFToken
	before := watched(res)
	for from := 0.0; from < 600; from += 100 {
		res = report(t, tablet, "forge", "heartbeat", from+100, from, from+100)
	}
	if watched(res) != before {
		t.Fatalf("a second device added %v%%", watched(res)-before)
	}
}

// TestParallelReportsCannotClaimMore sends many reports at the same moment,
// each of a different part of the video: a store read before another's
// write must not let each of them have the whole allowance.
func TestParallelReportsCannotClaimMore(t *testing.T) {
	ts, clk := startClocked(t)
	c := longVideoCourse(t, ts, "race")
	report(t, c, "race", "played", 0)
	clk.Advance(10 * time.Second)
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			from := float64(i * 15)
			res := video(c, "race", "intro", map[string]any{"event": "heartbeat", "position": from + 15, "watchedFrom": from, "watchedTo": from + 15})
			if res.status != 200 {
				t.Errorf("status %d: %s", res.status, res.body)
			}
		}()
	}
	wg.Wait()
	res := report(t, c, "race", "paused", 600)
	if max := (2*10 + lyceum.WatchGraceSeconds) / 600 * 100; watched(res) > max {
		t.Fatalf("40 reports at once gave %v%% watched; 10 s of watching allows %.1f%%", watched(res), max)
	}
}

func TestLearnersWatchingAtTheirPaceComplete(t *testing.T) {
	ts, clk := startClocked(t)
	for _, tc := range []struct {
		name     string
		rate     float64
		complete bool
	}{
		{"normal speed", 1, true},
		{"one and a half", 1.5, true},
		{"twice the speed, the player's fastest", 2, true},
		{"three times the speed", 3, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := longVideoCourse(t, ts, "pace-"+map[float64]string{1: "a", 1.5: "b", 2: "c", 3: "d"}[tc.rate])
			res := play(t, c, clk, c.courseOf(), 0, 600, tc.rate)
			if done := res.Status.Status == learning.Completed; done != tc.complete {
				t.Fatalf("at %v×: %v%% watched, %s", tc.rate, watched(res), res.Status.Status)
			}
			if !tc.complete {
				// Watching on, at a pace the player allows, completes it.
				res = play(t, c, clk, c.courseOf(), 0, 600, 2)
				if res.Status.Status != learning.Completed {
					t.Fatalf("rewatched at 2×: %v%% watched, %s", watched(res), res.Status.Status)
				}
			}
		})
	}
}

func TestRewatchingAndSeekingBackStillComplete(t *testing.T) {
	ts, clk := startClocked(t)
	c := longVideoCourse(t, ts, "rewatch")
	play(t, c, clk, "rewatch", 0, 100, 1)
	// Back to the start to see it again, then a jump ahead.
	report(t, c, "rewatch", "seeked", 0)
	play(t, c, clk, "rewatch", 0, 100, 1)
	report(t, c, "rewatch", "seeked", 400)
	play(t, c, clk, "rewatch", 400, 600, 1)
	res := report(t, c, "rewatch", "seeked", 100)
	if res.Status.Status == learning.Completed {
		t.Fatal("completed with 300 s never watched")
	}
	// The skipped part, later, at twice the speed.
	clk.Advance(24 * time.Hour)
	res = play(t, c, clk, "rewatch", 100, 400, 2)
	if res.Status.Status != learning.Completed {
		t.Fatalf("after watching every part: %v%% watched, %s", watched(res), res.Status.Status)
	}
}

func TestWatchingAcrossDevicesCompletes(t *testing.T) {
	ts, clk := startClocked(t)
	phone := longVideoCourse(t, ts, "devices")
	play(t, phone, clk, "devices", 0, 300, 1)
	report(t, phone, "devices", "paused", 300)

	laptop := ts.client(t)
	var me struct{ CSRFToken string }
	must(t, laptop.post("/api/v1/auth/login", map[string]string{"email": phone.user.Email, "password": "a good long password"}), 200).json(t, &me)
	laptop.csrf = me.CSRFToken
	var item learning.ItemPage
	must(t, laptop.get("/api/v1/courses/devices/items/intro"), 200).json(t, &item)
	if item.Status.Position != 300 || *item.Status.WatchedPercent < 49 {
		t.Fatalf("on the laptop: %+v", item.Status)
	}
	res := play(t, laptop, clk, "devices", 300, 600, 1)
	if res.Status.Status != learning.Completed {
		t.Fatalf("finished on the laptop: %v%% watched, %s", watched(res), res.Status.Status)
	}
}

// TestAForgedClaimLeavesNothingBehind: a refused claim must not stop the
// learner from completing the video by watching it.
func TestAForgedClaimLeavesNothingBehind(t *testing.T) {
	ts, clk := startClocked(t)
	c := longVideoCourse(t, ts, "after-forge")
	for from := 0.0; from < 600; from += 120 {
		report(t, c, "after-forge", "heartbeat", from+120, from, from+120)
	}
	clk.Advance(time.Hour)
	res := play(t, c, clk, "after-forge", 0, 600, 1)
	if res.Status.Status != learning.Completed {
		t.Fatalf("watched in full after a forged claim: %v%% watched, %s", watched(res), res.Status.Status)
	}
}

// courseOf is the id of the only course c is enrolled in.
func (c *client) courseOf() string {
	c.t.Helper()
	var mine struct{ Enrollments []learning.EnrollmentView }
	must(c.t, c.get("/api/v1/me/enrollments"), 200).json(c.t, &mine)
	if len(mine.Enrollments) != 1 {
		c.t.Fatalf("enrolled in %d courses", len(mine.Enrollments))
	}
	return mine.Enrollments[0].Course.ID
}
