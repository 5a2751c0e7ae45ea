// Command mqnamesrv runs a rocketgo NameServer, a drop-in for Apache
// RocketMQ's bin/mqnamesrv: same flags (-c properties file, -p print the
// effective configuration and exit, -n accepted and ignored as Java does)
// and the same configuration keys (listenPort 9876, kvConfigPath, ...).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rocketgo/rocketgo/namesrv"
	"github.com/sirupsen/logrus"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fs := flag.NewFlagSet("mqnamesrv", flag.ContinueOnError)
	configFile := fs.String("c", "", "Name server config properties file")
	printConfig := fs.Bool("p", false, "Print all config items")
	fs.String("n", "", "Name server address list (accepted for compatibility; unused)")
	help := fs.Bool("h", false, "Print help")
	if err := fs.Parse(args); err != nil {
		return 1
	}
	if *help {
		fs.Usage()
		return 0
	}
	log := logrus.StandardLogger()
	cfg := namesrv.DefaultConfig()
	cfg.Logger = log
	if *configFile != "" {
		props, err := namesrv.LoadPropertiesFile(*configFile)
		if err != nil {
			fmt.Fprintf(os.Stderr, "mqnamesrv: %v\n", err)
			return 1
		}
		unknown, err := cfg.Apply(props)
		if err != nil {
			fmt.Fprintf(os.Stderr, "mqnamesrv: %s: %v\n", *configFile, err)
			return 1
		}
		for _, k := range unknown {
			log.WithField("key", k).Warn("unknown config key ignored")
		}
		fmt.Printf("load config properties file OK, %s\n", *configFile)
	}
	if *printConfig {
		fmt.Print(cfg.Properties())
		return 0
	}
	s := namesrv.New(cfg)
	if err := s.Start(); err != nil {
		log.WithError(err).Error("name server failed to start")
		return 1
	}
	fmt.Printf("The Name Server boot success. serializeType=JSON, address %s\n", s.Addr())

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	got := <-sig
	log.WithField("signal", got.String()).Info("shutting down")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		log.WithError(err).Warn("shutdown incomplete")
		return 1
	}
	return 0
}
