package remoting

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/sirupsen/logrus"
)

func quietLogger() logrus.FieldLogger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	return l
}

// startServer starts a server on a free loopback port with setup's
// registrations; it is shut down when the test ends, pass or fail.
func startServer(t *testing.T, cfg ServerConfig, setup func(s *Server)) *Server {
	t.Helper()
	cfg.Addr = "127.0.0.1:0"
	if cfg.Logger == nil {
		cfg.Logger = quietLogger()
	}
	if cfg.NumEventLoops == 0 {
		cfg.NumEventLoops = 2
	}
	s := NewServer(cfg)
	if setup != nil {
		setup(s)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return s
}

func newClient(t *testing.T, cfg ClientConfig) *Client {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = quietLogger()
	}
	c := NewClient(cfg)
	t.Cleanup(c.Close)
	return c
}

// echo answers SUCCESS with the request's "v" field and body.
var echo = ProcessorFunc(func(_ *Conn, req *codec.Command) (*codec.Command, error) {
	resp := codec.NewResponse(req, 0, "")
	resp.Set("v", req.Value("v"))
	resp.Body = req.Body
	return resp, nil
})

func request(code requestcode.RequestCode, v string) *codec.Command {
	req := codec.NewRequest(int32(code), 0)
	req.Set("v", v)
	return req
}

func TestRoundTripBothSerializations(t *testing.T) {
	s := startServer(t, ServerConfig{}, func(s *Server) {
		s.Register(requestcode.HeartBeat, echo, nil)
		s.Register(requestcode.SendMessageV2, echo, s.NewPool("send", 2, 16))
	})
	for _, st := range []codec.SerializeType{codec.JSON, codec.RocketMQ} {
		c := newClient(t, ClientConfig{Serialize: st})
		for _, code := range []requestcode.RequestCode{requestcode.HeartBeat, requestcode.SendMessageV2} {
			req := request(code, "hello")
			req.Body = []byte("body")
			resp, err := c.Invoke(context.Background(), s.Addr(), req)
			if err != nil {
				t.Fatalf("%s %s: %v", st, code, err)
			}
			if resp.Code != 0 || resp.Value("v") != "hello" || string(resp.Body) != "body" ||
				resp.Opaque != req.Opaque || !resp.IsResponse() || resp.Serialize != st {
				t.Fatalf("%s %s: reply %+v", st, code, resp)
			}
		}
	}
}

func TestThousandConcurrentRequestsOnOneConnection(t *testing.T) {
	s := startServer(t, ServerConfig{}, func(s *Server) {
		s.Register(requestcode.HeartBeat, echo, nil)
		s.Register(requestcode.PullMessage, ProcessorFunc(func(c *Conn, req *codec.Command) (*codec.Command, error) {
			time.Sleep(time.Millisecond)
			return echo(c, req)
		}), s.NewPool("pull", 16, 2000))
	})
	c := newClient(t, ClientConfig{RequestTimeout: 10 * time.Second})
	var wg sync.WaitGroup
	var failures atomic.Int32
	for i := 0; i < 1000; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			code := requestcode.HeartBeat
			if i%2 == 1 {
				code = requestcode.PullMessage
			}
			v := strconv.Itoa(i)
			resp, err := c.Invoke(context.Background(), s.Addr(), request(code, v))
			if err != nil || resp.Value("v") != v {
				failures.Add(1)
				t.Errorf("request %d: %v %v", i, err, resp)
			}
		}(i)
	}
	wg.Wait()
	if failures.Load() != 0 {
		t.Fatalf("%d of 1000 requests failed", failures.Load())
	}
	if n := len(s.Conns()); n != 1 {
		t.Fatalf("client used %d connections, want 1", n)
	}
}

func TestUnknownCodeAnsweredNotSupported(t *testing.T) {
	s := startServer(t, ServerConfig{}, nil)
	c := newClient(t, ClientConfig{})
	resp, err := c.Invoke(context.Background(), s.Addr(), codec.NewRequest(9999, 0))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Code != int32(requestcode.RequestCodeNotSupported) || !strings.Contains(resp.Remark, "9999") {
		t.Fatalf("reply %+v", resp)
	}
}

func TestDefaultProcessorTakesUnknownCodes(t *testing.T) {
	s := startServer(t, ServerConfig{}, func(s *Server) { s.RegisterDefault(echo, nil) })
	c := newClient(t, ClientConfig{})
	resp, err := c.Invoke(context.Background(), s.Addr(), request(4242, "x"))
	if err != nil || resp.Code != 0 || resp.Value("v") != "x" {
		t.Fatalf("reply %+v, %v", resp, err)
	}
}

func TestProcessorErrorAndPanicBecomeSystemError(t *testing.T) {
	s := startServer(t, ServerConfig{}, func(s *Server) {
		pool := s.NewPool("p", 1, 4)
		fail := ProcessorFunc(func(*Conn, *codec.Command) (*codec.Command, error) {
			return nil, errors.New("the custom field topic is null")
		})
		boom := ProcessorFunc(func(*Conn, *codec.Command) (*codec.Command, error) { panic("boom") })
		s.Register(requestcode.SendMessage, fail, nil)
		s.Register(requestcode.PullMessage, fail, pool)
		s.Register(requestcode.QueryMessage, boom, nil)
		s.Register(requestcode.HeartBeat, boom, pool)
	})
	c := newClient(t, ClientConfig{})
	for code, remark := range map[requestcode.RequestCode]string{
		requestcode.SendMessage: "topic is null", requestcode.PullMessage: "topic is null",
		requestcode.QueryMessage: "boom", requestcode.HeartBeat: "boom",
	} {
		resp, err := c.Invoke(context.Background(), s.Addr(), request(code, ""))
		if err != nil {
			t.Fatalf("%s: %v", code, err)
		}
		if resp.Code != int32(requestcode.SystemError) || !strings.Contains(resp.Remark, remark) {
			t.Fatalf("%s: reply %+v", code, resp)
		}
	}
	// The server is still serving.
	if _, err := c.Invoke(context.Background(), s.Addr(), codec.NewRequest(9999, 0)); err != nil {
		t.Fatal(err)
	}
}

func TestFullPoolAnswersSystemBusy(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	s := startServer(t, ServerConfig{}, func(s *Server) {
		s.Register(requestcode.SendMessage, ProcessorFunc(func(c *Conn, req *codec.Command) (*codec.Command, error) {
			entered <- struct{}{}
			<-release
			return echo(c, req)
		}), s.NewPool("send", 1, 1))
	})
	c := newClient(t, ClientConfig{RequestTimeout: 10 * time.Second})
	results := make(chan *codec.Command, 2)
	go func() { // occupies the worker
		r, _ := c.Invoke(context.Background(), s.Addr(), request(requestcode.SendMessage, "1"))
		results <- r
	}()
	<-entered
	go func() { // fills the queue
		r, _ := c.Invoke(context.Background(), s.Addr(), request(requestcode.SendMessage, "2"))
		results <- r
	}()
	// Wait until the second request sits in the queue.
	deadline := time.Now().Add(5 * time.Second)
	for s.pools[0].Queued() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	resp, err := c.Invoke(context.Background(), s.Addr(), request(requestcode.SendMessage, "3"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Code != int32(requestcode.SystemBusy) || !strings.Contains(resp.Remark, "[OVERLOAD]") {
		t.Fatalf("third request: %+v", resp)
	}
	close(release)
	go func() { <-entered }()
	for i := 0; i < 2; i++ {
		if r := <-results; r == nil || r.Code != 0 {
			t.Fatalf("queued request not served: %+v", r)
		}
	}
}

func TestOnewayGetsNoReply(t *testing.T) {
	got := make(chan string, 1)
	s := startServer(t, ServerConfig{}, func(s *Server) {
		s.Register(requestcode.UpdateConsumerOffset, ProcessorFunc(func(c *Conn, req *codec.Command) (*codec.Command, error) {
			got <- req.Value("v")
			return echo(c, req)
		}), nil)
	})
	nc := dial(t, s.Addr())
	req := request(requestcode.UpdateConsumerOffset, "ow")
	req.Flag = codec.FlagOneway
	writeCmd(t, nc, req)
	if v := <-got; v != "ow" {
		t.Fatalf("processor saw %q", v)
	}
	// The next reply on the wire must be for the following request.
	writeCmd(t, nc, codec.NewRequest(9999, 55))
	resp := readCmd(t, nc)
	if resp.Opaque != 55 {
		t.Fatalf("got a reply for opaque %d first", resp.Opaque)
	}
}

func TestDeferredReply(t *testing.T) {
	held := make(chan func(), 1)
	s := startServer(t, ServerConfig{}, func(s *Server) {
		s.Register(requestcode.PullMessage, ProcessorFunc(func(c *Conn, req *codec.Command) (*codec.Command, error) {
			held <- func() {
				resp := codec.NewResponse(req, int32(requestcode.PullNotFound), "")
				resp.Body = make([]byte, 64<<10) // large: written with writev
				if err := c.Send(resp, nil); err != nil {
					t.Error(err)
				}
			}
			return nil, nil // a held long-poll pull: no reply now
		}), nil)
	})
	c := newClient(t, ClientConfig{})
	done := make(chan *codec.Command, 1)
	go func() {
		r, err := c.Invoke(context.Background(), s.Addr(), request(requestcode.PullMessage, ""))
		if err != nil {
			t.Error(err)
		}
		done <- r
	}()
	reply := <-held
	select {
	case <-done:
		t.Fatal("replied before the processor sent anything")
	case <-time.After(50 * time.Millisecond):
	}
	reply()
	if r := <-done; r == nil || r.Code != int32(requestcode.PullNotFound) || len(r.Body) != 64<<10 {
		t.Fatalf("deferred reply %+v", r)
	}
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = nc.Close() })
	return nc
}

func writeCmd(t *testing.T, nc net.Conn, cmd *codec.Command) {
	t.Helper()
	f, err := codec.AppendFrame(nil, cmd)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nc.Write(f); err != nil {
		t.Fatal(err)
	}
}

func readCmd(t *testing.T, nc net.Conn) *codec.Command {
	t.Helper()
	_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	cmd, err := codec.NewReader(nc, 0).Next()
	if err != nil {
		t.Fatal(err)
	}
	return cmd
}

// expectClosed waits for the server to close nc.
func expectClosed(t *testing.T, nc net.Conn, within time.Duration) {
	t.Helper()
	_ = nc.SetReadDeadline(time.Now().Add(within))
	buf := make([]byte, 4096)
	for {
		_, err := nc.Read(buf)
		if err == nil {
			continue
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("connection still open after %s", within)
		}
		return // EOF or reset: closed
	}
}

func TestFramesSplitAtEveryByteDecodeTheSame(t *testing.T) {
	s := startServer(t, ServerConfig{}, func(s *Server) { s.Register(requestcode.HeartBeat, echo, nil) })
	nc := dial(t, s.Addr())
	req := request(requestcode.HeartBeat, "split")
	req.Opaque = 9
	req.Body = []byte("some body")
	f, _ := codec.AppendFrame(nil, req)
	for cut := 1; cut < len(f); cut++ {
		if _, err := nc.Write(f[:cut]); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond) // let the first part arrive alone
		if _, err := nc.Write(f[cut:]); err != nil {
			t.Fatal(err)
		}
		resp := readCmd(t, nc)
		if resp.Opaque != 9 || resp.Value("v") != "split" || string(resp.Body) != "some body" {
			t.Fatalf("cut %d: reply %+v", cut, resp)
		}
	}
	// Many frames in one write are all answered.
	var many []byte
	for i := 0; i < 50; i++ {
		req.Opaque = int32(100 + i)
		many, _ = codec.AppendFrame(many, req)
	}
	if _, err := nc.Write(many); err != nil {
		t.Fatal(err)
	}
	r := codec.NewReader(nc, 0)
	for i := 0; i < 50; i++ {
		resp, err := r.Next()
		if err != nil || resp.Opaque != int32(100+i) {
			t.Fatalf("frame %d: %v %+v", i, err, resp)
		}
	}
}

func TestGarbageConnectionClosedOthersUnaffected(t *testing.T) {
	s := startServer(t, ServerConfig{}, func(s *Server) { s.Register(requestcode.HeartBeat, echo, nil) })
	c := newClient(t, ClientConfig{})
	cases := map[string][]byte{
		"unterminated JSON":    jsonFrameBytes(`{"code":34,"remark":"x`),
		"unknown serialize":    append([]byte{0, 0, 0, 6, 9, 0, 0, 2}, '{', '}'),
		"header beyond frame":  {0, 0, 0, 6, 0, 0, 0, 200, '{', '}'},
		"declared length zero": {0, 0, 0, 0},
		"negative length":      {0xFF, 0xFF, 0xFF, 0xF0},
	}
	for name, garbage := range cases {
		nc := dial(t, s.Addr())
		if _, err := nc.Write(garbage); err != nil {
			t.Fatal(err)
		}
		expectClosed(t, nc, 3*time.Second)
		if _, err := c.Invoke(context.Background(), s.Addr(), request(requestcode.HeartBeat, "ok")); err != nil {
			t.Fatalf("after %s: healthy client failed: %v", name, err)
		}
	}
}

func jsonFrameBytes(h string) []byte {
	f := make([]byte, 8, 8+len(h))
	binary.BigEndian.PutUint32(f, uint32(4+len(h)))
	binary.BigEndian.PutUint32(f[4:], uint32(len(h)))
	return append(f, h...)
}

func TestOversizedFrameRejectedWithoutReadingIt(t *testing.T) {
	s := startServer(t, ServerConfig{MaxFrameLength: 1 << 20}, nil)
	nc := dial(t, s.Addr())
	var prefix [4]byte
	binary.BigEndian.PutUint32(prefix[:], 1<<20) // one byte over the limit with its prefix
	if _, err := nc.Write(prefix[:]); err != nil {
		t.Fatal(err)
	}
	// Nothing of the declared megabyte is sent: the prefix alone is refused.
	expectClosed(t, nc, 3*time.Second)
}

func TestServerInvokesClient(t *testing.T) {
	opened := make(chan *Conn, 1)
	s := startServer(t, ServerConfig{OnOpen: func(c *Conn) { opened <- c }}, func(s *Server) {
		s.Register(requestcode.HeartBeat, echo, nil)
	})
	oneway := make(chan string, 1)
	c := newClient(t, ClientConfig{Processors: map[requestcode.RequestCode]RequestHandler{
		requestcode.GetConsumerRunningInfo: func(req *codec.Command) (*codec.Command, error) {
			resp := codec.NewResponse(req, 0, "")
			resp.Body = []byte(`{"running":` + req.Value("clientId") + `}`)
			return resp, nil
		},
		requestcode.NotifyConsumerIdsChanged: func(req *codec.Command) (*codec.Command, error) {
			oneway <- req.Value("consumerGroup")
			return nil, nil
		},
	}})
	if _, err := c.Invoke(context.Background(), s.Addr(), request(requestcode.HeartBeat, "")); err != nil {
		t.Fatal(err)
	}
	conn := <-opened
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req := codec.NewRequest(int32(requestcode.GetConsumerRunningInfo), 0)
	req.Set("clientId", "7")
	resp, err := conn.Invoke(ctx, req)
	if err != nil || resp.Code != 0 || string(resp.Body) != `{"running":7}` {
		t.Fatalf("server->client call: %+v %v", resp, err)
	}
	// A code the client does not handle: it answers not supported.
	resp, err = conn.Invoke(ctx, codec.NewRequest(int32(requestcode.ResetConsumerClientOffset), 0))
	if err != nil || resp.Code != int32(requestcode.RequestCodeNotSupported) {
		t.Fatalf("unhandled code: %+v %v", resp, err)
	}
	n := codec.NewRequest(int32(requestcode.NotifyConsumerIdsChanged), 0)
	n.Set("consumerGroup", "G")
	if err := conn.InvokeOneway(n); err != nil {
		t.Fatal(err)
	}
	if g := <-oneway; g != "G" {
		t.Fatalf("oneway carried %q", g)
	}
	// A call on a connection that closes fails at once instead of hanging.
	c.Close()
	if _, err := conn.Invoke(ctx, codec.NewRequest(int32(requestcode.GetConsumerRunningInfo), 0)); err == nil {
		t.Fatal("invoke on a closed connection succeeded")
	}
}

func TestIdleConnectionClosed(t *testing.T) {
	closed := make(chan struct{}, 1)
	s := startServer(t, ServerConfig{IdleTimeout: 150 * time.Millisecond,
		OnClose: func(*Conn, error) { closed <- struct{}{} }}, nil)
	nc := dial(t, s.Addr())
	start := time.Now()
	expectClosed(t, nc, 3*time.Second)
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("closed after %s, before the idle timeout", d)
	}
	<-closed
}

func TestSlowReaderClosedAtHighWaterMark(t *testing.T) {
	closed := make(chan struct{}, 1)
	// Small kernel buffers on both ends, so what the peer leaves unread
	// piles up in our outbound buffer rather than in the kernel's.
	s := startServer(t, ServerConfig{OutboundHighWater: 1 << 20, SocketSendBuffer: 32 << 10,
		OnClose: func(*Conn, error) { closed <- struct{}{} }}, func(s *Server) {
		s.Register(requestcode.PullMessage, ProcessorFunc(func(_ *Conn, req *codec.Command) (*codec.Command, error) {
			resp := codec.NewResponse(req, 0, "")
			resp.Body = make([]byte, 256<<10)
			return resp, nil
		}), nil)
	})
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) {
			_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
	}}
	nc, err := d.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	req, _ := codec.AppendFrame(nil, request(requestcode.PullMessage, ""))
	deadline := time.After(10 * time.Second)
	for {
		select {
		case <-closed:
			return
		case <-deadline:
			t.Fatal("server kept buffering for a peer that never reads")
		default:
		}
		_ = nc.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
		if _, err := nc.Write(req); err != nil {
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				<-closed
				return
			}
		}
	}
}

func TestGracefulShutdownFinishesInFlight(t *testing.T) {
	entered := make(chan struct{})
	cfg := ServerConfig{Addr: "127.0.0.1:0", Logger: quietLogger(), NumEventLoops: 1}
	s := NewServer(cfg)
	s.Register(requestcode.SendMessage, ProcessorFunc(func(c *Conn, req *codec.Command) (*codec.Command, error) {
		close(entered)
		time.Sleep(200 * time.Millisecond)
		return echo(c, req)
	}), s.NewPool("send", 1, 4))
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, ClientConfig{})
	got := make(chan error, 1)
	go func() {
		resp, err := c.Invoke(context.Background(), s.Addr(), request(requestcode.SendMessage, "inflight"))
		if err == nil && resp.Value("v") != "inflight" {
			err = fmt.Errorf("reply %+v", resp)
		}
		got <- err
	}()
	<-entered
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatalf("in-flight request lost in shutdown: %v", err)
	}
	if _, err := net.DialTimeout("tcp", s.Addr(), time.Second); err == nil {
		t.Fatal("server still accepts connections after shutdown")
	}
}

func TestClientReconnects(t *testing.T) {
	s := startServer(t, ServerConfig{}, func(s *Server) { s.Register(requestcode.HeartBeat, echo, nil) })
	c := newClient(t, ClientConfig{})
	if _, err := c.Invoke(context.Background(), s.Addr(), request(requestcode.HeartBeat, "1")); err != nil {
		t.Fatal(err)
	}
	for _, conn := range s.Conns() {
		_ = conn.Close()
	}
	// The first call after the drop may race the close; one must succeed soon.
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := c.Invoke(context.Background(), s.Addr(), request(requestcode.HeartBeat, "2"))
		if err == nil && resp.Value("v") == "2" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("client did not reconnect: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestClientTimeoutAndAsync(t *testing.T) {
	s := startServer(t, ServerConfig{}, func(s *Server) {
		s.Register(requestcode.HeartBeat, echo, nil)
		s.Register(requestcode.PullMessage, ProcessorFunc(func(*Conn, *codec.Command) (*codec.Command, error) {
			return nil, nil // never answers
		}), nil)
	})
	c := newClient(t, ClientConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := c.Invoke(ctx, s.Addr(), request(requestcode.PullMessage, "")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want deadline exceeded", err)
	}
	done := make(chan *codec.Command, 1)
	if err := c.InvokeAsync(s.Addr(), request(requestcode.HeartBeat, "a"), time.Second, func(r *codec.Command, err error) {
		if err != nil {
			t.Error(err)
		}
		done <- r
	}); err != nil {
		t.Fatal(err)
	}
	if r := <-done; r.Value("v") != "a" {
		t.Fatalf("async reply %+v", r)
	}
	timedOut := make(chan error, 1)
	_ = c.InvokeAsync(s.Addr(), request(requestcode.PullMessage, ""), 50*time.Millisecond, func(_ *codec.Command, err error) {
		timedOut <- err
	})
	if err := <-timedOut; !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("async timeout: %v", err)
	}
	if err := c.InvokeOneway(context.Background(), s.Addr(), request(requestcode.HeartBeat, "")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Invoke(context.Background(), "127.0.0.1:1", request(requestcode.HeartBeat, "")); err == nil {
		t.Fatal("call to a closed port succeeded")
	}
}

// TestLargeFramesBothWays: a 10 MiB request body and its echo cross intact
// (gnet buffers the partial frame across many reads; the reply is written
// with writev).
func TestLargeFramesBothWays(t *testing.T) {
	s := startServer(t, ServerConfig{}, func(s *Server) {
		s.Register(requestcode.SendMessage, echo, s.NewPool("send", 1, 4))
	})
	c := newClient(t, ClientConfig{RequestTimeout: 10 * time.Second})
	body := make([]byte, 10<<20)
	for i := range body {
		body[i] = byte(i * 7)
	}
	req := request(requestcode.SendMessage, "big")
	req.Body = body
	resp, err := c.Invoke(context.Background(), s.Addr(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Body) != len(body) || string(resp.Body) != string(body) {
		t.Fatalf("echoed %d bytes, differing from the %d sent", len(resp.Body), len(body))
	}
}
