// Command rocketgo runs a standalone rocketgo: a NameServer on
// 127.0.0.1:9876 and a Broker on 127.0.0.1:10911 registered with it, with
// all state under one data directory (the broker's store in <data>/store).
// It is what `make run` starts.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/rocketgo/rocketgo/broker"
	"github.com/rocketgo/rocketgo/broker/config"
	"github.com/rocketgo/rocketgo/namesrv"
	"github.com/sirupsen/logrus"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fs := flag.NewFlagSet("rocketgo", flag.ContinueOnError)
	data := fs.String("data", "./data", "data directory (NameServer KV config in namesrv/, broker store in store/)")
	host := fs.String("host", "127.0.0.1", "address to listen on and to advertise to clients")
	nsPort := fs.Int("namesrv-port", 9876, "NameServer port")
	brokerPort := fs.Int("broker-port", 10911, "Broker port")
	brokerConf := fs.String("c", "", "optional broker.conf applied over the standalone defaults")
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

	nsCfg := namesrv.DefaultConfig()
	nsCfg.Logger = log.WithField("component", "namesrv")
	nsCfg.ListenAddr = net.JoinHostPort(*host, strconv.Itoa(*nsPort))
	nsCfg.ListenPort = *nsPort
	nsCfg.KvConfigPath = filepath.Join(dir, "namesrv", "kvConfig.json")
	ns := namesrv.New(nsCfg)
	if err := ns.Start(); err != nil {
		log.WithError(err).Error("name server failed to start")
		return 1
	}

	overrides := map[string]string{
		"namesrvAddr":      ns.Addr(),
		"brokerIP1":        *host,
		"brokerIP2":        *host,
		"listenPort":       strconv.Itoa(*brokerPort),
		"storePathRootDir": filepath.Join(dir, "store"),
	}
	if *brokerConf == "" {
		overrides["brokerName"] = "broker-a"
	}
	cfg, warnings, err := config.Load(*brokerConf, overrides)
	config.LogWarnings(log, warnings)
	if err == nil {
		var b *broker.Broker
		if b, err = broker.New(cfg, broker.Options{
			ListenAddr: net.JoinHostPort(*host, strconv.Itoa(*brokerPort)),
			Logger:     log.WithField("component", "broker"),
		}); err == nil {
			b.SetConfigFile(*brokerConf)
			if err = b.Start(); err == nil {
				return serve(log, ns, b, dir)
			}
		}
	}
	log.WithError(err).Error("broker failed to start")
	stopAll(log, ns, nil)
	return 1
}

func serve(log *logrus.Logger, ns *namesrv.Server, b *broker.Broker, dir string) int {
	log.WithFields(logrus.Fields{"namesrv": ns.Addr(), "broker": b.BrokerAddr(), "data": dir}).Info("rocketgo standalone started")
	fmt.Printf("rocketgo is up. Point clients at the NameServer %s (NAMESRV_ADDR=%s); broker %s; data in %s\n",
		ns.Addr(), ns.Addr(), b.BrokerAddr(), dir)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	got := <-sig
	log.WithField("signal", got.String()).Info("shutting down")
	if err := stopAll(log, ns, b); err != nil {
		return 1
	}
	return 0
}

// stopAll stops the broker first (it unregisters from the NameServer),
// then the NameServer.
func stopAll(log *logrus.Logger, ns *namesrv.Server, b *broker.Broker) error {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var errs []error
	if b != nil {
		errs = append(errs, b.Shutdown(ctx))
	}
	errs = append(errs, ns.Shutdown(ctx))
	err := errors.Join(errs...)
	if err != nil {
		log.WithError(err).Warn("shutdown incomplete")
	}
	return err
}
