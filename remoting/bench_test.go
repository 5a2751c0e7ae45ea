package remoting

import (
	"context"
	"testing"

	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting/codec"
)

func benchServer(b *testing.B) *Server {
	s := NewServer(ServerConfig{Addr: "127.0.0.1:0", Logger: quietLogger(), NumEventLoops: 1})
	s.Register(requestcode.HeartBeat, echo, nil)
	s.Register(requestcode.SendMessageV2, echo, s.NewPool("send", 4, 1024))
	if err := s.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	return s
}

func benchRoundTrip(b *testing.B, code requestcode.RequestCode, parallel bool) {
	s := benchServer(b)
	c := NewClient(ClientConfig{Logger: quietLogger()})
	b.Cleanup(c.Close)
	call := func() {
		req := codec.NewRequest(int32(code), 0)
		req.Set("v", "x")
		req.Body = make([]byte, 128)
		if _, err := c.Invoke(context.Background(), s.Addr(), req); err != nil {
			b.Fatal(err)
		}
	}
	call() // connect
	b.ReportAllocs()
	b.ResetTimer()
	if parallel {
		b.SetParallelism(16)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				call()
			}
		})
		return
	}
	for i := 0; i < b.N; i++ {
		call()
	}
}

// Sequential calls measure latency; parallel ones (16 goroutines per CPU on
// one connection) measure what pipelining on one connection sustains. The
// allocations are the client's and the server's together.
func BenchmarkRoundTripInline(b *testing.B)         { benchRoundTrip(b, requestcode.HeartBeat, false) }
func BenchmarkRoundTripPooled(b *testing.B)         { benchRoundTrip(b, requestcode.SendMessageV2, false) }
func BenchmarkRoundTripInlineParallel(b *testing.B) { benchRoundTrip(b, requestcode.HeartBeat, true) }
func BenchmarkRoundTripPooledParallel(b *testing.B) {
	benchRoundTrip(b, requestcode.SendMessageV2, true)
}
