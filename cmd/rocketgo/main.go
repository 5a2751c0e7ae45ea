// Command rocketgo runs a standalone rocketgo: a NameServer on
// 127.0.0.1:9876 and (once the broker lands) a Broker on 127.0.0.1:10911
// registered with it, all state under one data directory. It is what
// `make run` starts.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/rocketgo/rocketgo/namesrv"
	"github.com/sirupsen/logrus"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fs := flag.NewFlagSet("rocketgo", flag.ContinueOnError)
	data := fs.String("data", "./data", "data directory (NameServer KV config; the broker store once it lands)")
	host := fs.String("host", "127.0.0.1", "address to listen on")
	nsPort := fs.Int("namesrv-port", 9876, "NameServer port")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	log := logrus.StandardLogger()

	dir, err := filepath.Abs(*data)
	if err == nil {
		err = os.MkdirAll(filepath.Join(dir, "namesrv"), 0o755)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "rocketgo: data directory %s: %v\n", *data, err)
		return 1
	}

	cfg := namesrv.DefaultConfig()
	cfg.Logger = log.WithField("component", "namesrv")
	cfg.ListenAddr = net.JoinHostPort(*host, strconv.Itoa(*nsPort))
	cfg.ListenPort = *nsPort
	cfg.KvConfigPath = filepath.Join(dir, "namesrv", "kvConfig.json")
	ns := namesrv.New(cfg)
	if err := ns.Start(); err != nil {
		log.WithError(err).Error("name server failed to start")
		return 1
	}
	log.WithFields(logrus.Fields{"namesrv": ns.Addr(), "data": dir}).Info("rocketgo standalone started")
	log.Warn("the broker is not part of this build yet (issue 5): only the NameServer is serving")

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	got := <-sig
	log.WithField("signal", got.String()).Info("shutting down")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ns.Shutdown(ctx); err != nil {
		log.WithError(err).Warn("name server shutdown incomplete")
		return 1
	}
	return 0
}
