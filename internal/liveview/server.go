package liveview

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

//go:embed static
var static embed.FS

// The HTTP side's bounds: a client that misbehaves costs at most a slot
// for WriteTimeout.
const (
	readTimeout  = 10 * time.Second
	writeTimeout = 10 * time.Second // a client that stops reading loses its answer then
	idleTimeout  = 30 * time.Second
	answerSlots  = 8               // /events and /bytes answers being made or written at once
	closeWait    = 2 * time.Second // how long Close waits for answers being written
)

// server is a View's HTTP side: the page, its two scripts' answers
// (/events, /bytes), each request on net/http's goroutine.
type server struct {
	http   *http.Server
	token  string
	url    string
	served chan struct{} // closed when Serve returned
	slots  chan struct{}

	mu      sync.Mutex
	active  int  // requests being served
	closing bool // Close began: no new request is served
	idle    *sync.Cond
}

// Listen serves the view at addr (host:port) until Close; the page's
// address, with its token, is URL.
func (v *View) Listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	secret := make([]byte, 24)
	_, _ = rand.Read(secret) // never fails (crypto/rand)
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	s := &server{
		token:  hex.EncodeToString(secret),
		served: make(chan struct{}),
		slots:  make(chan struct{}, answerSlots),
	}
	s.idle = sync.NewCond(&s.mu)
	s.url = "http://" + net.JoinHostPort(host, port) + "/?token=" + s.token
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", file("static/index.html", "text/html; charset=utf-8"))
	mux.HandleFunc("GET /app.js", file("static/app.js", "text/javascript; charset=utf-8"))
	mux.HandleFunc("GET /style.css", file("static/style.css", "text/css; charset=utf-8"))
	mux.HandleFunc("GET /events", s.answer(v.serveEvents))
	mux.HandleFunc("GET /bytes", s.answer(v.serveBytes))
	s.http = &http.Server{
		Handler:           s.guard(mux),
		ReadHeaderTimeout: readTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          log.New(io.Discard, "", 0), // a client's broken connection is its own affair
	}
	v.srv = s
	go func() {
		defer close(s.served)
		_ = s.http.Serve(ln)
	}()
	return nil
}

// URL is the page's address with its token, for the user: "" before
// Listen (or on nil).
func (v *View) URL() string {
	if v == nil || v.srv == nil {
		return ""
	}
	return v.srv.url
}

// Close stops serving the view: answers being written get closeWait, then
// their connections are closed. It returns once the server's goroutines
// have ended (net/http's own per-connection ones end as their connections
// close). Safe to call more than once, without Listen, and on nil.
func (v *View) Close() error {
	if v == nil || v.srv == nil {
		return nil
	}
	s := v.srv
	s.mu.Lock()
	again := s.closing
	s.closing = true
	s.mu.Unlock()
	if again {
		<-s.served
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), closeWait)
	defer cancel()
	err := s.http.Shutdown(ctx)
	_ = s.http.Close() // what Shutdown left: connections still being written
	<-s.served
	s.mu.Lock()
	for s.active > 0 { // their writes fail now that the connections are closed
		s.idle.Wait()
	}
	s.mu.Unlock()
	if errors.Is(err, context.DeadlineExceeded) {
		err = nil // a stuck client, cut off: not the caller's failure
	}
	return err
}

// guard serves a request only with the token in its query (app.js adds it
// to its own), but for the page's script and style, which are the same in
// every luasock and hold nothing of the run; and with headers that keep the page to luasock's own
// files.
func (s *server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		closing := s.closing
		if !closing {
			s.active++
		}
		s.mu.Unlock()
		if closing {
			http.Error(w, "luasock is stopping", http.StatusServiceUnavailable)
			return
		}
		defer func() {
			s.mu.Lock()
			if s.active--; s.active == 0 {
				s.idle.Broadcast()
			}
			s.mu.Unlock()
		}()
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		if !publicFiles[r.URL.Path] && !s.allowed(r) {
			http.Error(w, "luasock live view: this needs the address luasock printed, with its ?token=", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// publicFiles are served without the token. (A cookie would carry the
// token to every other server on the host: browsers share a host's cookies
// among its ports.)
var publicFiles = map[string]bool{"/app.js": true, "/style.css": true}

// allowed compares the request's token with the view's in constant time.
func (s *server) allowed(r *http.Request) bool {
	got := r.URL.Query().Get("token")
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) == 1
}

// file serves an embedded file.
func file(name, contentType string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, err := static.ReadFile(name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write(b)
	}
}

// answer serves what build returns as JSON, in one of the bounded slots:
// the view's state is copied under its lock, then written without it.
func (s *server) answer(build func(r *http.Request) (any, int)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		select {
		case s.slots <- struct{}{}:
			defer func() { <-s.slots }()
		default:
			http.Error(w, "busy: too many requests at once", http.StatusServiceUnavailable)
			return
		}
		v, status := build(r)
		b, err := json.Marshal(v)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(b)
	}
}

// serveEvents is /events?since=N: what changed after the change numbered N
// (0: everything kept).
func (v *View) serveEvents(r *http.Request) (any, int) {
	since, _ := strconv.ParseUint(r.URL.Query().Get("since"), 10, 64)
	b := v.changes(since)
	for i := range b.Events {
		e := &b.Events[i]
		if e.data != "" {
			e.Preview = []byte(e.data[:min(len(e.data), previewBytes)])
		}
	}
	return b, http.StatusOK
}

// serveBytes is /bytes?q=N: the kept bytes of the socket event numbered N.
func (v *View) serveBytes(r *http.Request) (any, int) {
	seq, _ := strconv.ParseUint(r.URL.Query().Get("q"), 10, 64)
	rec, ok := v.message(seq)
	if !ok {
		return map[string]any{"q": seq, "gone": true}, http.StatusNotFound
	}
	return map[string]any{"q": seq, "n": rec.Len, "data": []byte(rec.data)}, http.StatusOK
}
