// Command mqbroker runs a rocketgo broker, a drop-in for Apache RocketMQ's
// bin/mqbroker: the same flags (-c broker.conf, -n NameServer list, -p print
// every config item and exit, -m print the important ones and exit), the
// NAMESRV_ADDR environment variable, and Java's broker.conf keys.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rocketgo/rocketgo/broker"
	"github.com/rocketgo/rocketgo/broker/config"
	"github.com/sirupsen/logrus"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fs := flag.NewFlagSet("mqbroker", flag.ContinueOnError)
	configFile := fs.String("c", "", "Broker config properties file")
	namesrv := fs.String("n", "", "Name server address list, eg: '192.168.0.1:9876;192.168.0.2:9876'")
	printAll := fs.Bool("p", false, "Print all config items")
	printImportant := fs.Bool("m", false, "Print important config items")
	listen := fs.String("listen", "", "listen address host:port (default 0.0.0.0:listenPort)")
	help := fs.Bool("h", false, "Print help")
	if err := fs.Parse(args); err != nil {
		return 1
	}
	if *help {
		fs.Usage()
		return 0
	}
	log := logrus.StandardLogger()
	overrides := map[string]string{}
	if *namesrv != "" {
		overrides["namesrvAddr"] = *namesrv
	}
	cfg, warnings, err := config.Load(*configFile, overrides)
	config.LogWarnings(log, warnings)
	if err != nil {
		fmt.Fprintf(os.Stderr, "mqbroker: %v\n", err)
		return 1
	}
	if *configFile != "" {
		fmt.Printf("load config properties file OK, %s\n", *configFile)
	}
	switch {
	case *printAll:
		if err := cfg.Print(os.Stdout); err != nil {
			return 1
		}
		return 0
	case *printImportant:
		if err := cfg.PrintImportant(os.Stdout); err != nil {
			return 1
		}
		return 0
	}
	b, err := broker.New(cfg, broker.Options{ListenAddr: *listen, Logger: log})
	if err != nil {
		fmt.Fprintf(os.Stderr, "mqbroker: %v\n", err)
		return 1
	}
	// UPDATE_BROKER_CONFIG persists into the file the broker was started
	// with, as Java's Configuration.persist does.
	b.SetConfigFile(*configFile)
	if err := b.Start(); err != nil {
		log.WithError(err).Error("broker failed to start")
		return 1
	}
	ns := cfg.Broker.NamesrvAddr
	fmt.Printf("The broker[%s, %s] boot success. serializeType=JSON and name server is %s\n",
		cfg.Broker.BrokerName, b.BrokerAddr(), ns)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	got := <-sig
	log.WithField("signal", got.String()).Info("shutting down")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := b.Shutdown(ctx); err != nil {
		log.WithError(err).Warn("broker shutdown incomplete")
		return 1
	}
	return 0
}
