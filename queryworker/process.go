package queryworker

import (
	"bufio"
	"bytes"
	"context"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/querying"
	"github.com/lyceum/lyceum/results"
	"github.com/lyceum/lyceum/warehouse"
)

// Options say how to run the worker.
type Options struct {
	// Command is the binary and arguments that start a worker: a Lyceum
	// binary, which becomes one when it finds LYCEUM_QUERY_WORKER=1.
	// Default: this process's own executable.
	Command []string
	Config  Config
	// MaxMemory is the worker's resident memory, in bytes, past which it
	// is killed and started again (0: no limit).
	MaxMemory int64
	// Nice lowers the worker's CPU priority (0–19; 0 leaves it as the
	// server's), so that learners' requests go first.
	Nice   int
	Logger *slog.Logger
}

// Process is the supervised worker, seen from the server. It implements
// querying.Executor and what the loader needs of a warehouse.
type Process struct {
	opt    Options
	dir    string // holds the socket
	sock   string
	logger *slog.Logger

	mu      sync.Mutex
	current *child // nil while (re)starting
	changed chan struct{}
	closed  bool
	stop    context.CancelFunc
	done    chan struct{}
}

var _ querying.Executor = (*Process)(nil)

// child is one run of the worker.
type child struct {
	gen    int
	cmd    *exec.Cmd
	stdin  io.Closer
	client *http.Client
	exited chan struct{} // closed when it exited; why is then set
	why    string
}

// Start starts the worker and waits until it serves. If it cannot start
// (its warehouse does not open), Start says why, in the worker's words.
func Start(ctx context.Context, opt Options) (*Process, error) {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if len(opt.Command) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("query worker: find this program: %w", err)
		}
		opt.Command = []string{exe}
	}
	dir, err := os.MkdirTemp("", "lyceum-worker-")
	if err != nil {
		return nil, fmt.Errorf("query worker: %w", err)
	}
	p := &Process{opt: opt, dir: dir, sock: filepath.Join(dir, "s"), logger: opt.Logger, changed: make(chan struct{}), done: make(chan struct{})}
	c, err := p.spawn(1)
	if err == nil {
		err = p.waitReady(ctx, c)
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	p.setCurrent(c)
	sctx, stop := context.WithCancel(context.Background())
	p.stop = stop
	go p.supervise(sctx, c)
	return p, nil
}

// spawn starts worker generation gen, serving on a new socket.
func (p *Process) spawn(gen int) (*child, error) {
	os.Remove(p.sock)
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: p.sock, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("query worker: listen: %w", err)
	}
	ln.SetUnlinkOnClose(false)
	lf, err := ln.File()
	ln.Close()
	if err != nil {
		return nil, fmt.Errorf("query worker: %w", err)
	}
	defer lf.Close()
	args := p.opt.Command
	if p.opt.Nice > 0 {
		if nice, err := exec.LookPath("nice"); err == nil {
			args = append([]string{nice, "-n", strconv.Itoa(p.opt.Nice)}, args...)
		} else {
			p.logger.Warn("query worker: no nice(1) here, so it runs at the server's CPU priority")
		}
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), EnvChild+"=1")
	cmd.ExtraFiles = []*os.File{lf}
	cmd.SysProcAttr = sysProcAttr()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	c := &child{gen: gen, cmd: cmd, stdin: stdin, exited: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("query worker: start %s: %w", args[0], err)
	}
	cfg, _ := json.Marshal(p.opt.Config)
	stdin.Write(append(cfg, '\n'))
	tail := &lastLines{n: 20}
	logged := make(chan struct{})
	go func() { // the worker logs to stderr: relay it
		defer close(logged)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			tail.add(sc.Text())
			p.logger.Info("query worker: " + sc.Text())
		}
	}()
	go func() {
		<-logged
		err := cmd.Wait()
		p.mu.Lock()
		if c.why == "" {
			c.why = exitReason(err, tail.String())
		}
		p.mu.Unlock()
		close(c.exited)
	}()
	go p.watchMemory(c)
	c.client = &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", p.sock)
		},
		// A connection per call: a call to a worker that has died then
		// fails to dial (never delivered, so it waits for the next worker)
		// rather than on a kept-alive connection, where it could not tell
		// whether the worker had started on it. A Unix socket dial is cheap.
		DisableKeepAlives: true,
	}}
	return c, nil
}

// exitReason says why a worker exited, for logs and for the queries it
// was running.
func exitReason(err error, tail string) string {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return "it stopped"
	case errors.As(err, &ee) && ee.ExitCode() == exitStateChanged:
		return "a query changed the engine's shared settings"
	case errors.As(err, &ee) && ee.ExitCode() == exitFailed:
		return "it could not open the warehouse: " + tail
	}
	return "it crashed (" + err.Error() + ")"
}

func (p *Process) waitReady(ctx context.Context, c *child) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://worker/healthz", nil)
		if resp, err := c.client.Do(req); err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-c.exited:
			return fmt.Errorf("query worker: %s", c.why)
		case <-ctx.Done():
			c.cmd.Process.Kill()
			return fmt.Errorf("query worker did not start: %w", ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (p *Process) setCurrent(c *child) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.current = c
	close(p.changed)
	p.changed = make(chan struct{})
	p.mu.Unlock()
}

// supervise starts the worker again whenever it exits, until Close.
func (p *Process) supervise(ctx context.Context, c *child) {
	defer close(p.done)
	backoff := 100 * time.Millisecond
	for {
		started := time.Now()
		select {
		case <-ctx.Done():
			p.stopChild(c)
			return
		case <-c.exited:
		}
		p.mu.Lock()
		p.current = nil
		p.mu.Unlock()
		p.logger.Error("query worker exited; starting it again", "why", c.why, "generation", c.gen)
		if time.Since(started) > time.Minute {
			backoff = 100 * time.Millisecond
		}
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 10*time.Second)
			next, err := p.spawn(c.gen + 1)
			if err == nil {
				if err = p.waitReady(ctx, next); err == nil {
					c = next
					break
				}
			}
			p.logger.Error("query worker: could not start again", "err", err)
		}
		p.setCurrent(c)
	}
}

// stopChild asks the worker to stop (its stdin closes) and kills it if it
// has not within 5 s.
func (p *Process) stopChild(c *child) {
	c.stdin.Close()
	select {
	case <-c.exited:
	case <-time.After(5 * time.Second):
		c.cmd.Process.Kill()
		<-c.exited
	}
}

// watchMemory kills the worker when its resident memory passes MaxMemory.
func (p *Process) watchMemory(c *child) {
	if p.opt.MaxMemory <= 0 {
		return
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-c.exited:
			return
		case <-tick.C:
		}
		rss, err := residentBytes(c.cmd.Process.Pid)
		if err != nil || rss <= p.opt.MaxMemory {
			continue
		}
		p.mu.Lock()
		c.why = fmt.Sprintf("it used %d MB of memory, more than the %d MB it may (--query-worker-max-memory-mb)", rss>>20, p.opt.MaxMemory>>20)
		p.mu.Unlock()
		c.cmd.Process.Kill()
		return
	}
}

// worker returns the running worker, waiting while it (re)starts.
func (p *Process) worker(ctx context.Context) (*child, error) {
	for {
		p.mu.Lock()
		c, changed, closed := p.current, p.changed, p.closed
		p.mu.Unlock()
		if closed {
			return nil, errors.New("query worker: closed")
		}
		if c != nil {
			return c, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// died turns a failed call to c into the error its caller should see: if
// c exited meanwhile, why.
func (p *Process) died(ctx context.Context, c *child, err error) error {
	if ctx.Err() != nil {
		return err
	}
	select {
	case <-c.exited:
	case <-time.After(2 * time.Second):
		return fmt.Errorf("query worker: %w", err)
	}
	p.mu.Lock()
	why := c.why
	p.mu.Unlock()
	return &warehouse.QueryError{Code: "engine_restarted",
		Message: "the query engine stopped while this query ran, because " + why + "; it is starting again. Run the query again, or make it smaller if it reads a lot"}
}

// call sends a request to the worker and decodes a 2xx JSON answer into out.
// A call that reaches a worker which died before it (nothing listens on
// its socket) was never delivered: it waits for the next worker instead.
func (p *Process) call(ctx context.Context, method, path, contentType string, body []byte, out any) error {
	var c *child
	var resp *http.Response
	for {
		var err error
		if c, err = p.worker(ctx); err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, method, "http://worker"+path, bytes.NewReader(body))
		if err != nil {
			return err
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		resp, err = c.client.Do(req)
		if err == nil {
			break
		}
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" && ctx.Err() == nil {
			if werr := p.waitReplaced(ctx, c); werr != nil {
				return fmt.Errorf("query worker: %w", err)
			}
			continue
		}
		return p.died(ctx, c, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusConflict {
		return warehouse.ErrPositionMoved
	}
	if resp.StatusCode >= 300 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		return fmt.Errorf("query worker %s: %s", path, strings.TrimSpace(string(msg)))
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return p.died(ctx, c, err)
	}
	return nil
}

// waitReplaced waits until c has exited and is no longer the current
// worker (the supervisor is starting, or has started, the next one).
func (p *Process) waitReplaced(ctx context.Context, c *child) error {
	select {
	case <-c.exited:
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(2 * time.Second):
		return errors.New("the worker does not answer but has not exited")
	}
	for {
		p.mu.Lock()
		current, changed, closed := p.current, p.changed, p.closed
		p.mu.Unlock()
		if closed || current != c {
			return nil
		}
		select {
		case <-changed:
		case <-time.After(20 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Execute runs x in the worker.
func (p *Process) Execute(ctx context.Context, x querying.Execution) (results.Summary, error) {
	body, err := json.Marshal(x)
	if err != nil {
		return results.Summary{}, err
	}
	var out outcome
	if err := p.call(ctx, http.MethodPost, "/execute", "application/json", body, &out); err != nil {
		return results.Summary{}, err
	}
	switch {
	case out.Error != nil:
		return results.Summary{}, out.Error
	case out.Internal != "":
		return results.Summary{}, fmt.Errorf("query worker: %s", out.Internal)
	case out.Summary == nil:
		return results.Summary{}, errors.New("query worker: an empty answer")
	}
	return *out.Summary, nil
}

func (p *Process) Tables(ctx context.Context) ([]warehouse.Table, error) {
	var tables []warehouse.Table
	err := p.call(ctx, http.MethodGet, "/tables", "", nil, &tables)
	return tables, err
}

// Name is the warehouse engine's name.
func (p *Process) Name() string { return p.opt.Config.Warehouse }

// Load applies a loader batch in the worker.
func (p *Process) Load(ctx context.Context, b *warehouse.Batch, from, to lyceum.EventPosition) error {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(loadRequest{Batch: b, From: from, To: to}); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	return p.call(ctx, http.MethodPost, "/load", "application/x-gob", buf.Bytes(), nil)
}

func (p *Process) LoaderPosition(ctx context.Context) (lyceum.EventPosition, error) {
	var pos lyceum.EventPosition
	err := p.call(ctx, http.MethodGet, "/position", "", nil, &pos)
	return pos, err
}

// Kill kills the running worker, as a crash would (for tests and for
// operators' drills), and returns once it has exited; the supervisor
// starts it again, and calls made from now on wait for that.
func (p *Process) Kill() error {
	p.mu.Lock()
	c := p.current
	p.mu.Unlock()
	if c == nil {
		return errors.New("query worker: not running")
	}
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		return err
	}
	<-c.exited
	return nil
}

// Close stops the worker and waits for it.
func (p *Process) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	close(p.changed)
	p.mu.Unlock()
	p.stop()
	<-p.done
	return os.RemoveAll(p.dir)
}

// lastLines keeps the last n lines written, for error messages.
type lastLines struct {
	mu    sync.Mutex
	n     int
	lines []string
}

func (l *lastLines) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, s)
	if len(l.lines) > l.n {
		l.lines = l.lines[1:]
	}
}

func (l *lastLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}
