package compat

import (
	"context"
	"io"
	"testing"
	"time"

	rocketmq "github.com/apache/rocketmq-client-go/v2"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/sirupsen/logrus"
)

// startProducer starts a rocketmq-client-go producer of group that looks
// routes up at namesrv, without send retries (a test wants the first
// answer), and shuts it down when the test ends.
func startProducer(t *testing.T, namesrv, group string) rocketmq.Producer {
	t.Helper()
	p, err := producer.NewDefaultProducer(
		producer.WithNsResolver(primitive.NewPassthroughResolver([]string{namesrv})),
		producer.WithGroupName(group),
		producer.WithRetry(0),
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Shutdown() })
	return p
}

func quietLogger() *logrus.Logger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	return l
}

// startRemotingServer starts a bare remoting server on a free loopback port
// with register's processors (a stand-in peer for what is not under test)
// and shuts it down when the test ends.
func startRemotingServer(t *testing.T, register func(s *remoting.Server)) *remoting.Server {
	t.Helper()
	s := remoting.NewServer(remoting.ServerConfig{Addr: "127.0.0.1:0", NumEventLoops: 1, Logger: quietLogger()})
	register(s)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Shutdown(ctx)
	})
	return s
}
