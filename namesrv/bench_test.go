package namesrv

import (
	"fmt"
	"net"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting/codec"
)

// BenchmarkRouteLookup measures GET_ROUTEINFO_BY_TOPIC over loopback: 16
// raw connections, each pipelining up to 16 requests, 100 topics spread
// over 10 broker groups (master + slave each). Reports p99 latency.
func BenchmarkRouteLookup(b *testing.B) {
	const conns, depth, topics, brokers = 16, 16, 100, 10
	cfg := DefaultConfig()
	cfg.ListenAddr = "127.0.0.1:0"
	cfg.KvConfigPath = b.TempDir() + "/kvConfig.json"
	cfg.Logger = quietLogger()
	s := New(cfg)
	if err := s.Start(); err != nil {
		b.Fatal(err)
	}
	defer s.Shutdown(b.Context())
	for i := 0; i < brokers; i++ {
		var tcs []body.TopicConfig
		for t := 0; t < topics; t++ {
			if t%brokers == i || t%3 == i%3 {
				tcs = append(tcs, topic(fmt.Sprintf("Topic%03d", t), 8))
			}
		}
		dv := body.DataVersion{Timestamp: 1, Counter: 1}
		name := fmt.Sprintf("broker-%d", i)
		s.Handle(nil, registration(b, "DefaultCluster", name, 0, fmt.Sprintf("10.0.1.%d:10911", i), dv, false, tcs...))
		s.Handle(nil, registration(b, "DefaultCluster", name, 1, fmt.Sprintf("10.0.2.%d:10911", i), dv, false))
	}
	frames := make([][]byte, topics)
	for t := range frames {
		req := routeReq(fmt.Sprintf("Topic%03d", t), 317) // what rocketmq-client-go sends
		frames[t], _ = codec.AppendFrame(nil, req)
	}

	per := (b.N + conns - 1) / conns
	lat := make([][]time.Duration, conns)
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	for c := 0; c < conns; c++ {
		nc, err := net.Dial("tcp", s.Addr())
		if err != nil {
			b.Fatal(err)
		}
		wg.Add(1)
		go func(c int, nc net.Conn) {
			defer wg.Done()
			defer nc.Close()
			sent := make(chan time.Time, depth)
			done := make(chan struct{})
			lat[c] = make([]time.Duration, 0, per)
			go func() { // reader: responses come back in order per connection
				defer close(done)
				r := codec.NewReader(nc, 0)
				for i := 0; i < per; i++ {
					resp, err := r.Next()
					if err != nil {
						b.Error(err)
						return
					}
					if resp.Code != int32(requestcode.Success) {
						b.Errorf("code %d", resp.Code)
						return
					}
					lat[c] = append(lat[c], time.Since(<-sent))
				}
			}()
			for i := 0; i < per; i++ {
				sent <- time.Now()
				if _, err := nc.Write(frames[(c*7+i)%topics]); err != nil {
					b.Error(err)
					return
				}
			}
			<-done
		}(c, nc)
	}
	wg.Wait()
	b.StopTimer()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	if len(all) > 0 {
		sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99-µs")
		b.ReportMetric(float64(all[len(all)/2].Microseconds()), "p50-µs")
	}
}
