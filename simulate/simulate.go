// Package simulate drives realistic learner activity through the learning
// service, for demos and benchmarks: learners sign up over a span of days,
// enroll, watch videos (sometimes skipping ahead), answer in-video questions
// right or wrong by their skill, read, take quizzes, and drop out along the
// way. Time is virtual, so days of activity take seconds.
package simulate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/accounts"
	"github.com/lyceum/lyceum/auth"
	"github.com/lyceum/lyceum/blob"
	"github.com/lyceum/lyceum/learning"
)

type Config struct {
	Learners int
	Days     int
	Seed     uint64
	Workers  int // learners simulated at once
	// End is when the simulated span ends (default now): activity is spread
	// over [End-Days, End].
	End time.Time
	// Progress, if set, is called after each learner finishes.
	Progress func(done int)
}

type Stats struct {
	Learners, Enrollments, Completions, Dropouts int64
	Actions                                      int64 // service calls made
}

// Run simulates cfg.Learners learners in the published courses of store.
func Run(ctx context.Context, cfg Config, store lyceum.Store, blobs blob.Store) (Stats, error) {
	var st Stats
	if cfg.Learners <= 0 || cfg.Days <= 0 {
		return st, errors.New("simulate: --learners and --days must be positive")
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 16
	}
	if cfg.End.IsZero() {
		cfg.End = time.Now().UTC()
	}
	summaries, err := store.PublishedCourses(ctx)
	if err != nil {
		return st, err
	}
	if len(summaries) == 0 {
		return st, errors.New("simulate: no published course to learn from; import one first (lyceum course import --publish DIR)")
	}
	var courses []*lyceum.Course
	for _, s := range summaries {
		c, err := store.CourseByID(ctx, s.ID)
		if err != nil {
			return st, err
		}
		courses = append(courses, c)
	}
	acc := &accounts.Service{Store: store, Params: auth.TestParams}
	run := fmt.Sprintf("%08x", rand.New(rand.NewPCG(cfg.Seed, uint64(time.Now().UnixNano()))).Uint32())

	jobs := make(chan int)
	var wg sync.WaitGroup
	var done atomic.Int64
	errc := make(chan error, cfg.Workers)
	for range cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				l := &learner{
					rng:     rand.New(rand.NewPCG(cfg.Seed, uint64(i))),
					store:   store,
					courses: courses,
					stats:   &st,
				}
				l.clock = cfg.End.Add(-time.Duration(cfg.Days) * 24 * time.Hour).
					Add(time.Duration(l.rng.Float64() * float64(cfg.Days) * 24 * float64(time.Hour)))
				l.end = cfg.End
				l.svc = &learning.Service{Store: store, Blobs: blobs, Now: func() time.Time { return l.clock }}
				if err := l.live(ctx, acc, fmt.Sprintf("sim-%s-%d@example.org", run, i)); err != nil {
					errc <- err
					return
				}
				n := done.Add(1)
				if cfg.Progress != nil {
					cfg.Progress(int(n))
				}
			}
		}()
	}
	var runErr error
feed:
	for i := range cfg.Learners {
		select {
		case jobs <- i:
		case err := <-errc:
			runErr = err
			break feed
		case <-ctx.Done():
			runErr = ctx.Err()
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errc:
		if runErr == nil {
			runErr = err
		}
	default:
	}
	return st, runErr
}

type learner struct {
	rng     *rand.Rand
	store   lyceum.Store
	svc     *learning.Service
	courses []*lyceum.Course
	stats   *Stats
	user    *lyceum.User
	clock   time.Time
	end     time.Time
	skill   float64 // chance of answering right
}

// pass moves the virtual clock on by about d.
func (l *learner) pass(d time.Duration) {
	l.clock = l.clock.Add(time.Duration(float64(d) * (0.5 + l.rng.Float64())))
}

func (l *learner) act() { atomic.AddInt64(&l.stats.Actions, 1) }

func (l *learner) live(ctx context.Context, acc *accounts.Service, email string) error {
	u, err := acc.NewUser(ctx, email, uuid.NewString(), fakeName(l.rng), lyceum.RoleLearner)
	if err != nil {
		return err
	}
	u.CreatedAt = l.clock.UTC().Truncate(time.Millisecond)
	if err := l.store.CreateUser(ctx, u); err != nil {
		return err
	}
	ev := lyceum.Event{ID: uuid.Must(uuid.NewV7()).String(), Time: u.CreatedAt, Type: lyceum.EventSignedUp, UserID: u.ID}
	if err := l.store.AppendEvents(ctx, ev); err != nil {
		return err
	}
	l.user, l.skill = u, 0.45+0.5*l.rng.Float64()
	atomic.AddInt64(&l.stats.Learners, 1)

	// Most learners take one course, some two or three.
	n := 1 + int(math.Floor(l.rng.ExpFloat64()*0.6))
	perm := l.rng.Perm(len(l.courses))
	for _, ci := range perm[:min(n, len(perm))] {
		if err := l.takeCourse(ctx, l.courses[ci]); err != nil {
			return err
		}
	}
	return nil
}

func (l *learner) takeCourse(ctx context.Context, c *lyceum.Course) error {
	l.pass(10 * time.Minute)
	if l.clock.After(l.end) {
		return nil
	}
	if _, err := l.svc.Enroll(ctx, l.user, c.ID); err != nil {
		return err
	}
	l.act()
	atomic.AddInt64(&l.stats.Enrollments, 1)
	dropChance := 0.04 + 0.1*(1-l.skill) // per item
	for _, m := range c.Modules {
		for i := range m.Items {
			it := &m.Items[i]
			if l.clock.After(l.end) {
				return nil
			}
			if l.rng.Float64() < dropChance {
				atomic.AddInt64(&l.stats.Dropouts, 1)
				return nil
			}
			if it.Optional && l.rng.Float64() < 0.5 {
				continue
			}
			if _, err := l.svc.OpenItem(ctx, l.user, c.ID, it.ID); err != nil {
				return err
			}
			l.act()
			var err error
			switch it.Kind {
			case lyceum.KindVideo:
				err = l.watch(ctx, c, it)
			case lyceum.KindReading:
				l.pass(4 * time.Minute)
			case lyceum.KindQuiz:
				err = l.quiz(ctx, c, it)
			case lyceum.KindAssignment:
				l.pass(2 * time.Minute)
			}
			if err != nil {
				return err
			}
			// Between items: a short break, or come back another day.
			if l.rng.Float64() < 0.25 {
				l.pass(20 * time.Hour)
			} else {
				l.pass(3 * time.Minute)
			}
		}
	}
	p, err := l.svc.Progress(ctx, l.user, c.ID)
	if err != nil {
		return err
	}
	if p.CompletedAt != nil {
		atomic.AddInt64(&l.stats.Completions, 1)
	}
	return nil
}

// watch plays a video in 10-second reports, stopping at its questions,
// sometimes skipping ahead.
func (l *learner) watch(ctx context.Context, c *lyceum.Course, it *lyceum.Item) error {
	v := it.Video
	report := func(event string, pos float64, from, to *float64) error {
		_, err := l.svc.ReportVideo(ctx, l.user, c.ID, it.ID, learning.VideoReport{Event: event, Position: pos, WatchedFrom: from, WatchedTo: to})
		l.act()
		return err
	}
	if err := report("played", 0, nil, nil); err != nil {
		return err
	}
	pos, asked := 0.0, map[string]bool{}
	for pos < v.DurationSeconds {
		next := math.Min(pos+10, v.DurationSeconds)
		var q *lyceum.VideoQuestion
		for i := range v.Questions {
			vq := &v.Questions[i]
			if !asked[vq.ID] && vq.At >= pos && vq.At <= next {
				q, next = vq, vq.At
				break
			}
		}
		from, to := pos, next
		l.clock = l.clock.Add(time.Duration((to - from) * float64(time.Second)))
		if err := report("heartbeat", to, &from, &to); err != nil {
			return err
		}
		pos = next
		if q != nil {
			asked[q.ID] = true
			if err := report("paused", pos, nil, nil); err != nil {
				return err
			}
			l.pass(20 * time.Second)
			right := l.rng.Float64() < l.skill
			if _, err := l.svc.AnswerVideoQuestion(ctx, l.user, c.ID, it.ID, q.ID, l.respond(&q.Question, right)); err != nil {
				return err
			}
			l.act()
			if !right && l.rng.Float64() < 0.6 { // try again after the feedback
				l.pass(10 * time.Second)
				if _, err := l.svc.AnswerVideoQuestion(ctx, l.user, c.ID, it.ID, q.ID, l.respond(&q.Question, true)); err != nil {
					return err
				}
				l.act()
			}
			if err := report("played", pos, nil, nil); err != nil {
				return err
			}
		}
		// Some learners skip ahead now and then.
		if l.rng.Float64() < 0.05 && pos < v.DurationSeconds-15 {
			pos += 15
			if err := report("seeked", pos, nil, nil); err != nil {
				return err
			}
		}
		// And some stop watching half way.
		if l.rng.Float64() < 0.02 {
			return report("paused", pos, nil, nil)
		}
	}
	return report("ended", v.DurationSeconds, nil, nil)
}

func (l *learner) quiz(ctx context.Context, c *lyceum.Course, it *lyceum.Item) error {
	attempts := 1
	if l.rng.Float64() < 0.3 {
		attempts = 2
	}
	for a := range attempts {
		l.pass(time.Duration(len(it.Quiz.Questions)) * 40 * time.Second)
		rs := map[string]lyceum.Response{}
		for i := range it.Quiz.Questions {
			q := &it.Quiz.Questions[i]
			rs[q.ID] = l.respond(q, l.rng.Float64() < l.skill+0.15*float64(a))
		}
		if _, err := l.svc.SubmitQuiz(ctx, l.user, c.ID, it.ID, rs); err != nil {
			return err
		}
		l.act()
	}
	return nil
}

// respond makes a right or a wrong response to q.
func (l *learner) respond(q *lyceum.Question, right bool) lyceum.Response {
	switch q.Kind {
	case lyceum.SingleChoice, lyceum.MultipleAnswer:
		var correct, wrong []string
		for _, c := range q.Choices {
			if c.Correct {
				correct = append(correct, c.ID)
			} else {
				wrong = append(wrong, c.ID)
			}
		}
		if right || len(wrong) == 0 {
			if q.Kind == lyceum.SingleChoice {
				return lyceum.Response{Choices: correct[:1]}
			}
			return lyceum.Response{Choices: correct}
		}
		pick := wrong[l.rng.IntN(len(wrong))]
		if q.Kind == lyceum.MultipleAnswer && len(correct) > 1 {
			return lyceum.Response{Choices: append(correct[1:], pick)}
		}
		return lyceum.Response{Choices: []string{pick}}
	case lyceum.Numeric:
		n := *q.Number
		if !right {
			n += (q.Tolerance + 1) * (1 + l.rng.Float64()*3)
		}
		return lyceum.Response{Number: &n}
	default:
		if right {
			return lyceum.Response{Text: q.Accept[l.rng.IntN(len(q.Accept))]}
		}
		return lyceum.Response{Text: "not sure"}
	}
}

var firstNames = []string{"Ana", "Bo", "Chen", "Dara", "Eitan", "Fatima", "Guo", "Hana", "Ines", "Jomo", "Kavya", "Luis", "Mei", "Nia", "Omar", "Priya", "Quang", "Rosa", "Sipho", "Tariq", "Uma", "Vera", "Wanjiru", "Xin", "Yusuf", "Zanele"}
var lastNames = []string{"Silva", "Okafor", "Nguyen", "Kumar", "Haddad", "Kowalski", "Santos", "Mensah", "Ito", "Rossi", "Park", "Ali", "Moreno", "Novak", "Adeyemi", "Sharma"}

func fakeName(rng *rand.Rand) string {
	return firstNames[rng.IntN(len(firstNames))] + " " + lastNames[rng.IntN(len(lastNames))]
}
